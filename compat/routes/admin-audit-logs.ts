import { ListAuditLogsDocument, type ListAuditLogsQuery } from '../generated/operations.js';
import { pageVariables } from '../list.js';
import type { Route } from '../router.js';
import { serializeList } from '../serializers.js';

type Json = Record<string, unknown>;
type Entry = ListAuditLogsQuery['auditLogEntries']['nodes'][number];

/**
 * OpenAI's audit log object: the event's own payload sits under a key named after its type,
 * `data` for a creation and `changes_requested` for an update, as OpenAI nests them. Actions
 * OpenAI has no type for (`model_route.set`, `budget.updated`…) keep their own names.
 */
function serializeAuditLog(entry: Entry): Json {
  const details = (entry.details ?? {}) as Json;
  const payloadKey = entry.action.endsWith('.created')
    ? 'data'
    : entry.action.endsWith('.updated')
      ? 'changes_requested'
      : 'details';
  return {
    id: entry.id,
    type: entry.action,
    effective_at: entry.createdAt,
    // Admin keys are the only actors of the admin API; the CLI acts as nobody.
    actor: entry.actorApiKeyId ? { type: 'api_key', api_key: { id: entry.actorApiKeyId } } : null,
    [entry.action]: { id: entry.targetId, [payloadKey]: details },
  };
}

export const adminAuditLogRoutes: Route[] = [
  {
    method: 'GET',
    path: '/organization/audit_logs',
    beta: false,
    async handle({ query, run }) {
      // Newest first, as OpenAI lists the audit log.
      const page = pageVariables(query);
      const types = query.event_types;
      const data = await run(ListAuditLogsDocument, {
        ...page,
        actions: types === undefined || Array.isArray(types) ? types : [types],
      });
      return serializeList(data.auditLogEntries, serializeAuditLog, page);
    },
  },
];
