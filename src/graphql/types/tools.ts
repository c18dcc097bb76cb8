import type { AssistantTool } from '../../services/assistants/assistant-tools.js';
import type { ResponseFormat } from '../../services/assistants/response-format.js';
import type { ToolResources } from '../../services/assistants/tool-resources.js';
import { builder } from '../builder.js';
import { ChunkingStrategyInput } from './chunking-strategy.js';

export const ToolType = builder.enumType('ToolType', {
  description: 'Kind of tool an assistant or run may use.',
  values: {
    code_interpreter: { description: 'Runs model-written Python in a sandbox.' },
    file_search: { description: 'Searches the vector stores in tool resources.' },
    function: { description: 'A function the caller runs (requires_action).' },
  } as const,
});

const Ranker = builder.enumType('Ranker', {
  description: 'Ranker used by file_search.',
  values: ['auto', 'default_2024_08_21'] as const,
});

type FunctionDefinition = Extract<AssistantTool, { type: 'function' }>['function'];
type FileSearchOptions = NonNullable<Extract<AssistantTool, { type: 'file_search' }>['fileSearch']>;
type RankingOptions = NonNullable<FileSearchOptions['rankingOptions']>;

const FunctionDefinitionRef = builder
  .objectRef<FunctionDefinition>('FunctionDefinition')
  .implement({
    description: 'A function the model may call.',
    fields: (t) => ({
      name: t.exposeString('name', { description: '`[a-zA-Z0-9_-]`, at most 64 characters.' }),
      description: t.string({ nullable: true, resolve: (fn) => fn.description ?? null }),
      parameters: t.field({
        type: 'JSON',
        nullable: true,
        description: 'JSON Schema of the arguments.',
        resolve: (fn) => fn.parameters ?? null,
      }),
      strict: t.boolean({
        description: 'Strict schema adherence (Default: false).',
        resolve: (fn) => fn.strict ?? false,
      }),
    }),
  });

const RankingOptionsRef = builder.objectRef<RankingOptions>('RankingOptions').implement({
  description: 'How file_search ranks results.',
  fields: (t) => ({
    ranker: t.field({ type: Ranker, nullable: true, resolve: (options) => options.ranker ?? null }),
    scoreThreshold: t.exposeFloat('scoreThreshold', { description: 'Minimum score, 0–1.' }),
  }),
});

const FileSearchOptionsRef = builder
  .objectRef<FileSearchOptions>('FileSearchToolOptions')
  .implement({
    description: 'Overrides for the file_search tool.',
    fields: (t) => ({
      maxNumResults: t.int({
        nullable: true,
        description: 'At most this many results, 1–50.',
        resolve: (options) => options.maxNumResults ?? null,
      }),
      rankingOptions: t.field({
        type: RankingOptionsRef,
        nullable: true,
        resolve: (options) => options.rankingOptions ?? null,
      }),
    }),
  });

export const AssistantToolRef = builder.objectRef<AssistantTool>('AssistantTool').implement({
  description: 'A tool enabled on an assistant or run. Only the member matching `type` is set.',
  fields: (t) => ({
    type: t.field({ type: ToolType, resolve: (tool) => tool.type }),
    function: t.field({
      type: FunctionDefinitionRef,
      nullable: true,
      resolve: (tool) => (tool.type === 'function' ? tool.function : null),
    }),
    fileSearch: t.field({
      type: FileSearchOptionsRef,
      nullable: true,
      resolve: (tool) => (tool.type === 'file_search' ? (tool.fileSearch ?? null) : null),
    }),
  }),
});

const FunctionDefinitionInput = builder.inputType('FunctionDefinitionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    parameters: t.field({ type: 'JSON', description: 'JSON Schema object of the arguments.' }),
    strict: t.boolean(),
  }),
});

const RankingOptionsInput = builder.inputType('RankingOptionsInput', {
  fields: (t) => ({
    ranker: t.field({ type: Ranker }),
    scoreThreshold: t.float({ required: true, description: '0–1.' }),
  }),
});

const FileSearchToolOptionsInput = builder.inputType('FileSearchToolOptionsInput', {
  fields: (t) => ({
    maxNumResults: t.int({ description: '1–50.' }),
    rankingOptions: t.field({ type: RankingOptionsInput }),
  }),
});

export const AssistantToolInput = builder.inputType('AssistantToolInput', {
  description:
    'A tool. Set `function` for function tools, optionally `fileSearch` for file_search.',
  fields: (t) => ({
    type: t.field({ type: ToolType, required: true }),
    function: t.field({ type: FunctionDefinitionInput }),
    fileSearch: t.field({ type: FileSearchToolOptionsInput }),
  }),
});

export const CodeInterpreterResourcesRef = builder
  .objectRef<NonNullable<ToolResources['codeInterpreter']>>('CodeInterpreterResources')
  .implement({
    fields: (t) => ({
      fileIds: t.exposeStringList('fileIds', {
        description: 'Files available to code_interpreter (at most 20).',
      }),
    }),
  });

export const FileSearchResourcesRef = builder
  .objectRef<NonNullable<ToolResources['fileSearch']>>('FileSearchResources')
  .implement({
    fields: (t) => ({
      vectorStoreIds: t.exposeStringList('vectorStoreIds', {
        description: 'Vector stores searched by file_search (at most 1).',
      }),
    }),
  });

export const ToolResourcesRef = builder.objectRef<ToolResources>('ToolResources').implement({
  description: 'Files and vector stores made available to the tools.',
  fields: (t) => ({
    codeInterpreter: t.field({
      type: CodeInterpreterResourcesRef,
      nullable: true,
      resolve: (resources) => resources.codeInterpreter ?? null,
    }),
    fileSearch: t.field({
      type: FileSearchResourcesRef,
      nullable: true,
      resolve: (resources) => resources.fileSearch ?? null,
    }),
  }),
});

const CodeInterpreterResourcesInput = builder.inputType('CodeInterpreterResourcesInput', {
  fields: (t) => ({ fileIds: t.stringList() }),
});

const VectorStoreHelperInput = builder.inputType('VectorStoreHelperInput', {
  description: 'A vector store to create along with a new assistant or thread.',
  fields: (t) => ({
    fileIds: t.stringList({ description: 'Files to index into it.' }),
    chunkingStrategy: t.field({ type: ChunkingStrategyInput }),
    metadata: t.field({ type: 'JSON' }),
  }),
});

const FileSearchResourcesInput = builder.inputType('FileSearchResourcesInput', {
  fields: (t) => ({
    vectorStoreIds: t.stringList(),
    vectorStores: t.field({
      type: [VectorStoreHelperInput],
      description:
        'Creation helper (create only; at most 1): the store is created with the assistant or thread (a thread’s expires 7 days after its last use) and its id kept in vectorStoreIds.',
    }),
  }),
});

export const ToolResourcesInput = builder.inputType('ToolResourcesInput', {
  fields: (t) => ({
    codeInterpreter: t.field({ type: CodeInterpreterResourcesInput }),
    fileSearch: t.field({ type: FileSearchResourcesInput }),
  }),
});

export const ResponseFormatType = builder.enumType('ResponseFormatType', {
  values: ['auto', 'text', 'json_object', 'json_schema'] as const,
});

type JsonSchemaFormat = Extract<ResponseFormat, { type: 'json_schema' }>['jsonSchema'];

const JsonSchemaFormatRef = builder.objectRef<JsonSchemaFormat>('JsonSchemaFormat').implement({
  description: 'A JSON Schema the model’s output must follow.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (format) => format.description ?? null }),
    schema: t.field({ type: 'JSON', nullable: true, resolve: (format) => format.schema ?? null }),
    strict: t.boolean({ nullable: true, resolve: (format) => format.strict ?? null }),
  }),
});

export const ResponseFormatRef = builder.objectRef<ResponseFormat>('ResponseFormat').implement({
  description: 'The format the model must output. `auto` leaves it to the model.',
  fields: (t) => ({
    type: t.field({ type: ResponseFormatType, resolve: (format) => format.type }),
    jsonSchema: t.field({
      type: JsonSchemaFormatRef,
      nullable: true,
      resolve: (format) => (format.type === 'json_schema' ? format.jsonSchema : null),
    }),
  }),
});

const JsonSchemaFormatInput = builder.inputType('JsonSchemaFormatInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    schema: t.field({ type: 'JSON' }),
    strict: t.boolean(),
  }),
});

export const ResponseFormatInput = builder.inputType('ResponseFormatInput', {
  fields: (t) => ({
    type: t.field({ type: ResponseFormatType, required: true }),
    jsonSchema: t.field({ type: JsonSchemaFormatInput }),
  }),
});
