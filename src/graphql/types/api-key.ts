import {
  type ApiKeyScope,
  createAdminApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
} from '../../services/admin/api-key-admin.js';
import { API_KEY_ROLES, type CreatedApiKey, redactedKey } from '../../services/auth/api-keys.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import { Project } from './project.js';

const ApiKeyRole = builder.enumType('ApiKeyRole', {
  description: '`admin`: the control plane and the default project; `project`: its project only.',
  values: API_KEY_ROLES,
});

export const ApiKey = builder.prismaNode('ApiKey', {
  description: 'An API key, shown redacted: its secret is returned once, when it is created.',
  id: { field: 'id', description: '`key_…`' },
  nullable: true,
  // Admin keys only: for a project key every id matches no row.
  findUnique: (id, ctx) => ({ id: ctx.actor.admin ? id : '' }),
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    role: t.field({ type: ApiKeyRole, resolve: (key) => key.role as ApiKeyScope['role'] }),
    redactedValue: t.string({
      description: 'The first and last characters, e.g. `sk-proj-...a1b2`.',
      resolve: (key) => redactedKey(key),
    }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'UnixTime',
      nullable: true,
      description: 'When the key last authenticated a request (to the minute).',
    }),
    expiresAt: t.expose('expiresAt', { type: 'UnixTime', nullable: true }),
    revokedAt: t.expose('revokedAt', {
      type: 'UnixTime',
      nullable: true,
      description: 'Set when the key was deleted; it is refused from then on.',
    }),
    project: t.relation('project', { type: Project }),
    serviceAccount: t.relation('serviceAccount', { nullable: true }),
  }),
});

export const ApiKeyConnection = connectionType('ApiKey', ApiKey);

export const CreatedApiKeyRef = builder.objectRef<CreatedApiKey>('CreatedApiKey').implement({
  description: 'A new key and its secret: the only time the secret is returned.',
  fields: (t) => ({
    value: t.exposeString('key', { description: 'The secret. Keep it: only its hash is stored.' }),
    apiKey: t.field({ type: ApiKey, resolve: (created) => created.row }),
  }),
});

const CreateAdminApiKeyInput = builder.inputType('CreateAdminApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    expiresInSeconds: t.int({ description: '1 to 31,536,000 (a year). Default: never.' }),
  }),
});

const ADMIN: ApiKeyScope = { role: 'admin' };

builder.objectFields(Project, (t) => ({
  apiKeys: t.connection(
    {
      type: ApiKey,
      description: 'The project’s keys (not revoked), oldest first by default. Admin only.',
      args: orderArg,
      resolve: async (project, args, ctx) =>
        connectionOf(
          await listApiKeys(ctx, { role: 'project', projectId: project.id }, toPageInput(args)),
          (key) => key.id,
        ),
    },
    ApiKeyConnection,
  ),
  apiKey: t.prismaField({
    type: 'ApiKey',
    description: 'One of the project’s keys. Admin only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, project, args, ctx) =>
      getApiKey(ctx, { role: 'project', projectId: project.id }, String(args.id), query),
  }),
}));

builder.queryFields((t) => ({
  adminApiKeys: t.connection(
    {
      type: ApiKey,
      description: 'The admin keys (not revoked). Admin keys only.',
      args: orderArg,
      resolve: async (_root, args, ctx) =>
        connectionOf(await listApiKeys(ctx, ADMIN, toPageInput(args)), (key) => key.id),
    },
    ApiKeyConnection,
  ),
  adminApiKey: t.prismaField({
    type: 'ApiKey',
    description: 'One admin key. Admin keys only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getApiKey(ctx, ADMIN, String(args.id), query),
  }),
}));

builder.mutationFields((t) => ({
  createAdminApiKey: t.field({
    type: CreatedApiKeyRef,
    description: 'A new admin key, its secret returned once. Admin keys only.',
    args: { input: t.arg({ type: CreateAdminApiKeyInput, required: true }) },
    resolve: (_root, args, ctx) => createAdminApiKey(ctx, args.input),
  }),
  deleteAdminApiKey: t.field({
    type: DeletionResult,
    description: 'Revokes an admin key at once, on every server. Admin keys only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteApiKey(ctx, ADMIN, String(args.id)),
  }),
  deleteProjectApiKey: t.field({
    type: DeletionResult,
    description: 'Revokes a project key at once, on every server. Admin keys only.',
    args: { projectId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      deleteApiKey(ctx, { role: 'project', projectId: String(args.projectId) }, String(args.id)),
  }),
}));
