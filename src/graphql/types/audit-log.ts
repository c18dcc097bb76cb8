import { listAuditLogEntries } from '../../services/admin/audit-log.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, orderArg, toPageInput } from './common.js';

const AuditLogEntry = builder.prismaObject('AuditLogEntry', {
  description: 'An admin action: who (which admin key), what, to which object, when.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`audit_…`' }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    actorApiKeyId: t.exposeString('actorApiKeyId', {
      nullable: true,
      description: 'The admin key that acted; null for the CLI.',
    }),
    action: t.exposeString('action', { description: 'e.g. `project.archived`.' }),
    targetId: t.exposeString('targetId', { description: 'The object acted on.' }),
    details: t.expose('details', { type: 'JSON', description: 'What changed; never a secret.' }),
  }),
});

const UnixTimeRange = builder.inputType('UnixTimeRange', {
  description: 'A time window; each given bound must hold (OpenAI’s `effective_at` filter).',
  fields: (t) => ({
    gt: t.field({ type: 'UnixTime' }),
    gte: t.field({ type: 'UnixTime' }),
    lt: t.field({ type: 'UnixTime' }),
    lte: t.field({ type: 'UnixTime' }),
  }),
});

builder.queryFields((t) => ({
  auditLogEntries: t.connection(
    {
      type: AuditLogEntry,
      description: 'The audit log of admin actions, newest first by default. Admin keys only.',
      args: {
        ...orderArg,
        actions: t.arg.stringList({
          description: 'Only these actions (OpenAI’s `event_types`), e.g. `project.created`.',
        }),
        effectiveAt: t.arg({
          type: UnixTimeRange,
          description: 'Only entries made in this window.',
        }),
        projectIds: t.arg.stringList({
          description: 'Only entries acting on these projects or on objects of theirs.',
        }),
        actorIds: t.arg.stringList({ description: 'Only entries made by these admin keys.' }),
        resourceIds: t.arg.stringList({ description: 'Only entries acting on these objects.' }),
        actorEmails: t.arg.stringList({
          description: 'Admin keys have no email: any email given matches no entry.',
        }),
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(await listAuditLogEntries(ctx, toPageInput(args), args), (entry) => entry.id),
    },
    connectionType('AuditLogEntry', AuditLogEntry),
  ),
}));
