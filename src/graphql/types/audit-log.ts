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
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listAuditLogEntries(ctx, toPageInput(args), args.actions),
          (entry) => entry.id,
        ),
    },
    connectionType('AuditLogEntry', AuditLogEntry),
  ),
}));
