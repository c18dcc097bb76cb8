/**
 * GraphQL results (camelCase, shaped by compat/operations/fragments.graphql) rendered as OpenAI's
 * objects: snake_case, unix seconds, an `object` field, and OpenAI's defaults where we store none.
 */

import type {
  AssistantFieldsFragment,
  ListAssistantsQuery,
  MessageFieldsFragment,
  ResponseFormatFieldsFragment,
  ThreadFieldsFragment,
  ToolFieldsFragment,
  ToolResourcesFieldsFragment,
} from './generated/operations.js';

type Json = Record<string, unknown>;

type ContentData = MessageFieldsFragment['content'][number];
type AnnotationData = NonNullable<ContentData['text']>['annotations'][number];

/**
 * A list page: every `*List` type has AssistantList's cursor fields, so any list result fits
 * (one that did not would fail to type-check where it is serialized).
 */
type PageData<T> = Omit<ListAssistantsQuery['assistants'], 'nodes'> & { nodes: T[] };

/** Keeps only the keys whose value is set, so optional fields are omitted rather than null. */
function defined(entries: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value != null));
}

export function serializeTool(tool: ToolFieldsFragment): Json {
  switch (tool.type) {
    case 'function':
      return {
        type: 'function',
        function: tool.function
          ? defined({
              name: tool.function.name,
              description: tool.function.description,
              parameters: tool.function.parameters,
              strict: tool.function.strict,
            })
          : null,
      };
    case 'file_search': {
      const options = tool.fileSearch;
      if (!options) {
        return { type: 'file_search' };
      }
      return {
        type: 'file_search',
        file_search: defined({
          max_num_results: options.maxNumResults,
          ranking_options: options.rankingOptions
            ? defined({
                ranker: options.rankingOptions.ranker,
                score_threshold: options.rankingOptions.scoreThreshold,
              })
            : null,
        }),
      };
    }
    case 'code_interpreter':
      return { type: 'code_interpreter' };
  }
}

export function serializeToolResources(resources: ToolResourcesFieldsFragment | null): Json {
  if (!resources) {
    return {};
  }
  return defined({
    code_interpreter: resources.codeInterpreter
      ? { file_ids: resources.codeInterpreter.fileIds }
      : null,
    file_search: resources.fileSearch
      ? { vector_store_ids: resources.fileSearch.vectorStoreIds }
      : null,
  });
}

/** OpenAI reports the default as the bare string `"auto"`. */
export function serializeResponseFormat(format: ResponseFormatFieldsFragment | null): unknown {
  if (!format || format.type === 'auto') {
    return 'auto';
  }
  if (format.type === 'json_schema' && format.jsonSchema) {
    return {
      type: 'json_schema',
      json_schema: defined({
        name: format.jsonSchema.name,
        description: format.jsonSchema.description,
        schema: format.jsonSchema.schema,
        strict: format.jsonSchema.strict,
      }),
    };
  }
  return { type: format.type };
}

export function serializeAssistant(assistant: AssistantFieldsFragment): Json {
  return {
    id: assistant.id,
    object: 'assistant',
    created_at: assistant.createdAt,
    name: assistant.name,
    description: assistant.description,
    model: assistant.model,
    instructions: assistant.instructions,
    tools: assistant.tools.map(serializeTool),
    tool_resources: serializeToolResources(assistant.toolResources),
    metadata: assistant.metadata,
    // OpenAI reports its sampling defaults rather than null.
    temperature: assistant.temperature ?? 1,
    top_p: assistant.topP ?? 1,
    response_format: serializeResponseFormat(assistant.responseFormat),
  };
}

export function serializeThread(thread: ThreadFieldsFragment): Json {
  return {
    id: thread.id,
    object: 'thread',
    created_at: thread.createdAt,
    tool_resources: serializeToolResources(thread.toolResources),
    metadata: thread.metadata,
  };
}

function serializeAnnotation(annotation: AnnotationData): Json {
  const base = {
    type: annotation.type,
    text: annotation.text,
    start_index: annotation.startIndex,
    end_index: annotation.endIndex,
  };
  return annotation.type === 'file_citation'
    ? {
        ...base,
        file_citation: defined({
          file_id: annotation.fileCitation?.fileId ?? '',
          quote: annotation.fileCitation?.quote,
        }),
      }
    : { ...base, file_path: { file_id: annotation.filePath?.fileId ?? '' } };
}

export function serializeContent(part: ContentData): Json {
  switch (part.type) {
    case 'text':
      return {
        type: 'text',
        text: {
          value: part.text?.value ?? '',
          annotations: (part.text?.annotations ?? []).map(serializeAnnotation),
        },
      };
    case 'image_file':
      return {
        type: 'image_file',
        image_file: { file_id: part.imageFile?.fileId, detail: part.imageFile?.detail },
      };
    case 'image_url':
      return {
        type: 'image_url',
        image_url: { url: part.imageUrl?.url, detail: part.imageUrl?.detail },
      };
    case 'refusal':
      return { type: 'refusal', refusal: part.refusal ?? '' };
  }
}

export function serializeMessage(message: MessageFieldsFragment): Json {
  return {
    id: message.id,
    object: 'thread.message',
    created_at: message.createdAt,
    thread_id: message.threadId,
    status: message.status,
    incomplete_details: message.incompleteDetails,
    completed_at: message.completedAt,
    incomplete_at: message.incompleteAt,
    role: message.role,
    content: message.content.map(serializeContent),
    assistant_id: message.assistantId,
    run_id: message.runId,
    attachments: (message.attachments ?? []).map((attachment) => ({
      file_id: attachment.fileId,
      tools: attachment.tools.map((tool) => ({ type: tool.type })),
    })),
    metadata: message.metadata,
  };
}

export function serializeDeleted(kind: string, result: { id: string; deleted: boolean }): Json {
  return { id: result.id, object: kind, deleted: result.deleted };
}

/**
 * A connection in OpenAI's list shape. `has_more` looks past the end the caller walked towards:
 * forward, or (a `before` page, fetched as `last`) backward, as OpenAI's lists do.
 */
export function serializeList<T extends { id: string }>(
  page: PageData<T>,
  item: (value: T) => Json,
  window: { last?: number },
): Json {
  return {
    object: 'list',
    data: page.nodes.map(item),
    first_id: page.nodes.at(0)?.id ?? null,
    last_id: page.nodes.at(-1)?.id ?? null,
    has_more: window.last === undefined ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage,
  };
}
