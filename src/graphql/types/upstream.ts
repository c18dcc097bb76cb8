import type { ModelRoute, UpstreamProvider } from '../../generated/prisma/client.js';
import {
  createProvider,
  deleteProvider,
  listModelRoutes,
  listProviders,
  setModelRoute,
  updateAllowedModels,
  updateDefaultModel,
} from '../../services/upstreams/providers.js';
import { builder } from '../builder.js';
import { DeletionResult } from './common.js';
import { Project } from './project.js';

const UpstreamProviderRef = builder.objectRef<UpstreamProvider>('UpstreamProvider').implement({
  description:
    'An OpenAI-compatible upstream of one project. Its API key and header values are sealed with SECRETS_KEY and cannot be read back.',
  fields: (t) => ({
    id: t.exposeString('id', { description: '`prov_…`' }),
    name: t.exposeString('name'),
    baseUrl: t.exposeString('baseUrl'),
    hasCredentials: t.boolean({ resolve: (provider) => provider.secrets !== null }),
    headerNames: t.exposeStringList('headerNames', {
      description: 'The names of the headers it sends; their values are sealed.',
    }),
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
  }),
});

const ModelRouteRef = builder.objectRef<ModelRoute>('ModelRoute').implement({
  description:
    'A model name (or, with `prefix`, the start of names) of the project sent to one of its providers. Exact routes win, then the longest prefix; anything else goes to the server’s routes.',
  fields: (t) => ({
    match: t.exposeString('match'),
    prefix: t.exposeBoolean('prefix'),
    providerId: t.exposeString('providerId'),
    upstreamModel: t.exposeString('upstreamModel', {
      nullable: true,
      description: 'The provider’s own name for the model; null: the requested name.',
    }),
  }),
});

const HeaderInput = builder.inputType('UpstreamHeaderInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

const CreateUpstreamProviderInput = builder.inputType('CreateUpstreamProviderInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    baseUrl: t.string({ required: true, description: 'With the version path: `…/v1`.' }),
    apiKey: t.string({ description: 'Sent as a bearer token; sealed, never returned.' }),
    headers: t.field({ type: [HeaderInput], description: 'Sent with every call; sealed.' }),
  }),
});

const SetModelRouteInput = builder.inputType('SetModelRouteInput', {
  fields: (t) => ({
    match: t.string({ required: true }),
    prefix: t.boolean({ description: 'Default: false.' }),
    providerId: t.string({ required: true }),
    upstreamModel: t.string(),
  }),
});

builder.objectFields(Project, (t) => ({
  upstreamProviders: t.field({
    type: [UpstreamProviderRef],
    description: 'Admin only.',
    resolve: (project, _args, ctx) => listProviders(ctx, project.id),
  }),
  modelRoutes: t.field({
    type: [ModelRouteRef],
    description: 'Admin only.',
    resolve: (project, _args, ctx) => listModelRoutes(ctx, project.id),
  }),
  allowedModels: t.exposeStringList('allowedModels', {
    description: 'The models its runs may use; empty: any.',
  }),
  defaultModel: t.exposeString('defaultModel', {
    nullable: true,
    description:
      'The model of its requests that name none (`POST /v1/responses`); null: such a request is refused. Set only within a non-empty `allowedModels`; one changed later still refuses it.',
  }),
}));

builder.mutationFields((t) => ({
  createUpstreamProvider: t.field({
    type: UpstreamProviderRef,
    description: 'Admin keys only. Credentials need SECRETS_KEY on the server.',
    args: {
      projectId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateUpstreamProviderInput, required: true }),
    },
    resolve: (_root, { projectId, input }, ctx) =>
      createProvider(ctx, String(projectId), {
        ...input,
        headers: input.headers
          ? Object.fromEntries(input.headers.map((header) => [header.name, header.value]))
          : null,
      }),
  }),
  deleteUpstreamProvider: t.field({
    type: DeletionResult,
    description: 'Deletes it and its routes. Admin keys only.',
    args: { projectId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteProvider(ctx, String(args.projectId), String(args.id)),
  }),
  setModelRoute: t.field({
    type: ModelRouteRef,
    description: 'Creates or replaces the route of `match` (and `prefix`). Admin keys only.',
    args: {
      projectId: t.arg.id({ required: true }),
      input: t.arg({ type: SetModelRouteInput, required: true }),
    },
    resolve: (_root, args, ctx) => setModelRoute(ctx, String(args.projectId), args.input),
  }),
  updateAllowedModels: t.field({
    type: Project,
    description: 'The models the project’s runs may use (empty: any). Admin keys only.',
    args: {
      projectId: t.arg.id({ required: true }),
      models: t.arg.stringList({ required: true }),
    },
    resolve: (_root, args, ctx) => updateAllowedModels(ctx, String(args.projectId), args.models),
  }),
  updateDefaultModel: t.field({
    type: Project,
    description:
      'Sets (null: clears) the model of the project’s requests that name none; it must be in a non-empty `allowedModels`. Admin keys only.',
    args: { projectId: t.arg.id({ required: true }), model: t.arg.string() },
    resolve: (_root, args, ctx) =>
      updateDefaultModel(ctx, String(args.projectId), args.model ?? null),
  }),
}));
