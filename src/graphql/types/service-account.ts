import type { ServiceAccount as ServiceAccountRow } from '../../generated/prisma/client.js';
import {
  createServiceAccount,
  createServiceAccountApiKey,
  deleteServiceAccount,
  getServiceAccount,
  listServiceAccounts,
  SERVICE_ACCOUNT_ROLES,
  updateServiceAccount,
} from '../../services/admin/service-accounts.js';
import type { CreatedApiKey } from '../../services/auth/api-keys.js';
import { builder } from '../builder.js';
import { CreatedApiKeyRef } from './api-key.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import { Project } from './project.js';

const ServiceAccountRole = builder.enumType('ServiceAccountRole', {
  values: [...SERVICE_ACCOUNT_ROLES, 'none'] as const,
  description: '`none`: made with `createServiceAccountOnly`, before any role was given.',
});

export const ServiceAccount = builder.prismaNode('ServiceAccount', {
  description: 'A non-human owner of project keys (OpenAI’s project service account).',
  id: { field: 'id', description: '`svc_acct_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id: ctx.actor.admin ? id : '' }),
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.field({
      type: ServiceAccountRole,
      resolve: (account) => account.role as 'member' | 'owner' | 'none',
    }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    project: t.relation('project', { type: Project }),
  }),
});

const ServiceAccountConnection = connectionType('ServiceAccount', ServiceAccount);

const CreatedServiceAccount = builder
  .objectRef<{ serviceAccount: ServiceAccountRow; apiKey: CreatedApiKey | null }>(
    'CreatedServiceAccount',
  )
  .implement({
    description: 'A new service account and, unless asked otherwise, its first key.',
    fields: (t) => ({
      serviceAccount: t.field({
        type: ServiceAccount,
        resolve: (created) => created.serviceAccount,
      }),
      apiKey: t.field({
        type: CreatedApiKeyRef,
        nullable: true,
        resolve: (created) => created.apiKey,
      }),
    }),
  });

const CreateServiceAccountInput = builder.inputType('CreateServiceAccountInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    createServiceAccountOnly: t.boolean({ description: 'Without a first key (role `none`).' }),
  }),
});

const UpdateServiceAccountInput = builder.inputType('UpdateServiceAccountInput', {
  fields: (t) => ({
    name: t.string(),
    role: t.field({
      type: builder.enumType('ServiceAccountRoleInput', { values: SERVICE_ACCOUNT_ROLES }),
    }),
  }),
});

const CreateServiceAccountApiKeyInput = builder.inputType('CreateServiceAccountApiKeyInput', {
  fields: (t) => ({ name: t.string({ description: 'Default: `Secret Key`.' }) }),
});

builder.objectFields(Project, (t) => ({
  serviceAccounts: t.connection(
    {
      type: ServiceAccount,
      description: 'Its service accounts, newest first by default. Admin only.',
      args: orderArg,
      resolve: async (project, args, ctx) =>
        connectionOf(
          await listServiceAccounts(ctx, project.id, toPageInput(args)),
          (account) => account.id,
        ),
    },
    ServiceAccountConnection,
  ),
  serviceAccount: t.prismaField({
    type: 'ServiceAccount',
    description: 'One of its service accounts. Admin only.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, project, args, ctx) =>
      getServiceAccount(ctx, project.id, String(args.id), query),
  }),
}));

const accountArgs = builder.args((t) => ({
  projectId: t.id({ required: true }),
  id: t.id({ required: true }),
}));

builder.mutationFields((t) => ({
  createServiceAccount: t.field({
    type: CreatedServiceAccount,
    description: 'Its key’s secret is returned here, once. Admin keys only.',
    args: {
      projectId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateServiceAccountInput, required: true }),
    },
    resolve: (_root, args, ctx) => createServiceAccount(ctx, String(args.projectId), args.input),
  }),
  updateServiceAccount: t.prismaField({
    type: 'ServiceAccount',
    description: 'Admin keys only.',
    args: { ...accountArgs, input: t.arg({ type: UpdateServiceAccountInput, required: true }) },
    resolve: (query, _root, args, ctx) =>
      updateServiceAccount(ctx, String(args.projectId), String(args.id), args.input, query),
  }),
  deleteServiceAccount: t.field({
    type: DeletionResult,
    description: 'Deletes it and revokes its keys at once, on every server. Admin keys only.',
    args: accountArgs,
    resolve: (_root, args, ctx) =>
      deleteServiceAccount(ctx, String(args.projectId), String(args.id)),
  }),
  createServiceAccountApiKey: t.field({
    type: CreatedApiKeyRef,
    description: 'Another key for a service account, its secret returned once. Admin keys only.',
    args: { ...accountArgs, input: t.arg({ type: CreateServiceAccountApiKeyInput }) },
    resolve: (_root, args, ctx) =>
      createServiceAccountApiKey(ctx, String(args.projectId), String(args.id), args.input ?? {}),
  }),
}));
