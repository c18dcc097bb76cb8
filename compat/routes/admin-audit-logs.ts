import { unknownParameter } from '../body-fields.js';
import { RestError } from '../errors.js';
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

/** `name[]=a&name[]=b` (or a single `name=a`) as a list of ids; anything nested is refused. */
function stringList(query: Json, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined) {
    return undefined;
  }
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string')) {
    throw new RestError(400, `Invalid '${name}': expected an array of strings.`, {
      param: name,
      code: 'invalid_type',
    });
  }
  return values;
}

const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/** `effective_at[gt]=…` and its siblings, integer Unix seconds, as GraphQL's `UnixTimeRange`. */
function timeRange(query: Json): Partial<Record<(typeof BOUNDS)[number], number>> | undefined {
  const value = query.effective_at;
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RestError(400, "Invalid 'effective_at': expected an object.", {
      param: 'effective_at',
      code: 'invalid_type',
    });
  }
  const range: Partial<Record<(typeof BOUNDS)[number], number>> = {};
  for (const [bound, text] of Object.entries(value)) {
    const param = `effective_at[${bound}]`;
    if (!(BOUNDS as readonly string[]).includes(bound)) {
      throw unknownParameter(param);
    }
    const seconds = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(seconds)) {
      throw new RestError(400, `Invalid '${param}': expected an integer, got '${String(text)}'.`, {
        param,
        code: 'invalid_type',
      });
    }
    range[bound as (typeof BOUNDS)[number]] = seconds;
  }
  return range;
}

export const adminAuditLogRoutes: Route[] = [
  {
    method: 'GET',
    path: '/organization/audit_logs',
    beta: false,
    async handle({ query, run }) {
      // Newest first, as OpenAI lists the audit log.
      const page = pageVariables(query);
      const data = await run(ListAuditLogsDocument, {
        ...page,
        actions: stringList(query, 'event_types'),
        effectiveAt: timeRange(query),
        projectIds: stringList(query, 'project_ids'),
        actorIds: stringList(query, 'actor_ids'),
        resourceIds: stringList(query, 'resource_ids'),
        actorEmails: stringList(query, 'actor_emails'),
      });
      return serializeList(data.auditLogEntries, serializeAuditLog, page);
    },
  },
];
