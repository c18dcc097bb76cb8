import { storedAssistantToolsSchema } from '../../services/assistants/assistant-tools.js';
import {
  createAssistant,
  deleteAssistant,
  getAssistant,
  listAssistants,
  REASONING_EFFORTS,
  updateAssistant,
} from '../../services/assistants/assistants.js';
import { storedResponseFormatSchema } from '../../services/assistants/response-format.js';
import { storedToolResourcesSchema } from '../../services/assistants/tool-resources.js';
import { parseJsonColumn } from '../../services/common/json-column.js';
import { type BuilderTypes, builder } from '../builder.js';
import { connectionOf, connectionType, DeletionResult, orderArg, toPageInput } from './common.js';
import {
  AssistantToolInput,
  AssistantToolRef,
  ResponseFormatInput,
  ResponseFormatRef,
  ToolResourcesInput,
  ToolResourcesRef,
} from './tools.js';

export const ReasoningEffort = builder.enumType('ReasoningEffort', {
  values: REASONING_EFFORTS,
});

const inAssistants = (id: string, column: string) => ({ table: 'assistants', id, column });

export const Assistant = builder.prismaNode('Assistant', {
  description: 'An assistant: a model with instructions and tools that runs on threads.',
  id: { field: 'id', description: '`asst_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    name: t.exposeString('name', { nullable: true, description: 'At most 256 characters.' }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'At most 512 characters.',
    }),
    model: t.exposeString('model', { description: 'Model name, routed to an upstream.' }),
    instructions: t.exposeString('instructions', {
      nullable: true,
      description: 'System instructions, at most 256,000 characters.',
    }),
    tools: t.field({
      type: [AssistantToolRef],
      description: 'At most 128 tools.',
      resolve: (assistant) =>
        parseJsonColumn(
          storedAssistantToolsSchema,
          assistant.tools,
          inAssistants(assistant.id, 'tools'),
        ),
    }),
    toolResources: t.field({
      type: ToolResourcesRef,
      nullable: true,
      resolve: (assistant) =>
        parseJsonColumn(
          storedToolResourcesSchema.nullable(),
          assistant.toolResources,
          inAssistants(assistant.id, 'toolResources'),
        ),
    }),
    metadata: t.expose('metadata', {
      type: 'JSON',
      description: 'Up to 16 string pairs (keys ≤ 64, values ≤ 512 characters).',
    }),
    temperature: t.exposeFloat('temperature', { nullable: true, description: '0–2.' }),
    topP: t.exposeFloat('topP', { nullable: true, description: '0–1.' }),
    responseFormat: t.field({
      type: ResponseFormatRef,
      nullable: true,
      resolve: (assistant) =>
        parseJsonColumn(
          storedResponseFormatSchema.nullable(),
          assistant.responseFormat,
          inAssistants(assistant.id, 'responseFormat'),
        ),
    }),
    reasoningEffort: t.field({
      type: ReasoningEffort,
      nullable: true,
      description: 'For reasoning models.',
      resolve: (assistant) =>
        (assistant.reasoningEffort as (typeof REASONING_EFFORTS)[number] | null) ?? null,
    }),
  }),
});

export const AssistantConnection = connectionType('Assistant', Assistant);

/** Fields shared by the create and update inputs. */
const assistantFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) => ({
  name: t.string(),
  description: t.string(),
  instructions: t.string(),
  tools: t.field({ type: [AssistantToolInput] }),
  toolResources: t.field({ type: ToolResourcesInput }),
  metadata: t.field({ type: 'JSON' }),
  temperature: t.float(),
  topP: t.float(),
  responseFormat: t.field({ type: ResponseFormatInput }),
  reasoningEffort: t.field({ type: ReasoningEffort }),
});

const CreateAssistantInput = builder.inputType('CreateAssistantInput', {
  fields: (t) => ({ model: t.string({ required: true }), ...assistantFields(t) }),
});

const UpdateAssistantInput = builder.inputType('UpdateAssistantInput', {
  description: 'Only the fields given change; `null` clears a field. toolResources is replaced.',
  fields: (t) => ({ model: t.string(), ...assistantFields(t) }),
});

builder.queryFields((t) => ({
  assistant: t.prismaField({
    type: 'Assistant',
    nullable: true,
    description:
      'One assistant by id; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => getAssistant(ctx, String(args.id), query),
  }),
  assistants: t.connection(
    {
      type: Assistant,
      description: 'Assistants, newest first by default.',
      args: orderArg,
      resolve: async (_root, args, ctx) =>
        connectionOf(await listAssistants(ctx, toPageInput(args)), (assistant) => assistant.id),
    },
    AssistantConnection,
  ),
}));

builder.mutationFields((t) => ({
  createAssistant: t.prismaField({
    type: 'Assistant',
    args: { input: t.arg({ type: CreateAssistantInput, required: true }) },
    resolve: (query, _root, args, ctx) => createAssistant(ctx, args.input, query),
  }),
  updateAssistant: t.prismaField({
    type: 'Assistant',
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateAssistantInput, required: true }),
    },
    resolve: (query, _root, args, ctx) => updateAssistant(ctx, String(args.id), args.input, query),
  }),
  deleteAssistant: t.field({
    type: DeletionResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteAssistant(ctx, String(args.id)),
  }),
}));
