import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { dataOf } from '../setup/graphql-response.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

interface GraphQLTool {
  type: string;
  function: {
    name: string;
    description: string | null;
    parameters: unknown;
    strict: boolean;
  } | null;
  fileSearch: {
    maxNumResults: number | null;
    rankingOptions: { ranker: string | null; scoreThreshold: number } | null;
  } | null;
}

interface GraphQLAssistant {
  id: string;
  createdAt: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  metadata: unknown;
  temperature: number | null;
  topP: number | null;
  tools: GraphQLTool[];
  responseFormat: {
    type: string;
    jsonSchema: { name: string; description: string | null; schema: unknown; strict: boolean };
  } | null;
  toolResources: { codeInterpreter: { fileIds: string[] } | null } | null;
}

interface GraphQLMessage {
  id: string;
  createdAt: number;
  threadId: string;
  status: string;
  role: string;
  assistantId: string | null;
  runId: string | null;
  completedAt: number | null;
  incompleteAt: number | null;
  incompleteDetails: { reason: string } | null;
  metadata: unknown;
  attachments: { fileId: string; tools: { type: string }[] }[];
  content: {
    type: string;
    text: { value: string; annotations: unknown[] } | null;
    imageUrl: { url: string; detail: string } | null;
    imageFile: { fileId: string; detail: string } | null;
  }[];
}

/** OpenAI's snake_case tool, built from the GraphQL one by hand (not by compat's serializer). */
function restTool(tool: GraphQLTool): unknown {
  if (tool.type === 'function' && tool.function) {
    return {
      type: 'function',
      function: {
        name: tool.function.name,
        description: tool.function.description,
        parameters: tool.function.parameters,
        strict: tool.function.strict,
      },
    };
  }
  if (tool.type === 'file_search' && tool.fileSearch?.rankingOptions) {
    return {
      type: 'file_search',
      file_search: {
        max_num_results: tool.fileSearch.maxNumResults,
        ranking_options: {
          ranker: tool.fileSearch.rankingOptions.ranker,
          score_threshold: tool.fileSearch.rankingOptions.scoreThreshold,
        },
      },
    };
  }
  return { type: tool.type };
}

describe('REST and GraphQL return the same data', () => {
  it('reads an assistant created over REST identically over GraphQL', async () => {
    const parameters = {
      type: 'object',
      properties: { q: { type: 'string' } },
      required: ['q'],
      additionalProperties: false,
    };
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const rest = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Parity',
      description: 'Same on both sides',
      instructions: 'Be consistent.',
      temperature: 0.7,
      top_p: 0.8,
      metadata: { side: 'rest', n: '1' },
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: 'Looks up', parameters, strict: true },
        },
        {
          type: 'file_search',
          file_search: {
            max_num_results: 12,
            ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0.25 },
          },
        },
        { type: 'code_interpreter' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', description: 'An answer', schema, strict: true },
      },
    });

    const { assistant } = dataOf(
      await t.graphql<{ assistant: GraphQLAssistant }>(
        `query ($id: ID!) {
          assistant(id: $id) {
            id createdAt name description model instructions metadata temperature topP
            tools {
              type
              function { name description parameters strict }
              fileSearch { maxNumResults rankingOptions { ranker scoreThreshold } }
            }
            responseFormat { type jsonSchema { name description schema strict } }
            toolResources { codeInterpreter { fileIds } }
          }
        }`,
        { id: rest.id },
      ),
    );

    expect(assistant.id).toBe(rest.id);
    expect(Number.isInteger(assistant.createdAt)).toBe(true);
    expect(assistant.createdAt).toBe(rest.created_at);
    expect(assistant.name).toBe(rest.name);
    expect(assistant.description).toBe(rest.description);
    expect(assistant.model).toBe(rest.model);
    expect(assistant.instructions).toBe(rest.instructions);
    expect(assistant.metadata).toEqual(rest.metadata);
    expect(assistant.temperature).toBe(rest.temperature);
    expect(assistant.topP).toBe(rest.top_p);
    expect(assistant.tools.map(restTool)).toEqual(rest.tools);
    expect(assistant.tools.map((tool) => tool.type)).toEqual([
      'function',
      'file_search',
      'code_interpreter',
    ]);
    const format = assistant.responseFormat;
    expect(format?.type).toBe('json_schema');
    expect(rest.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: format?.jsonSchema.name,
        description: format?.jsonSchema.description,
        schema: format?.jsonSchema.schema,
        strict: format?.jsonSchema.strict,
      },
    });
    expect(rest.tool_resources).toEqual({});
    expect(assistant.toolResources).toEqual({ codeInterpreter: null });

    // The list twins agree on membership and order, too.
    const restList = await t.openai.beta.assistants.list({ limit: 100 });
    const graphqlList = dataOf(
      await t.graphql<{ assistants: { nodes: { id: string; createdAt: number }[] } }>(
        '{ assistants(first: 100) { nodes { id createdAt } } }',
      ),
    ).assistants;
    expect(graphqlList.nodes).toEqual(
      restList.data.map((item) => ({ id: item.id, createdAt: item.created_at })),
    );
  });

  it('reads a thread and messages created over GraphQL identically over REST', async () => {
    const other = await t.createOtherProject();
    // The files a message may refer to; there is no upload API yet, so they are stored directly.
    const fileId = newId('file');
    await t.deps.db.file.create({
      data: {
        id: fileId,
        projectId: other.projectId,
        filename: 'notes.txt',
        purpose: 'assistants',
        bytes: 5n,
        mimeType: 'text/plain',
        storageKey: `test/${fileId}`,
      },
    });
    const imageId = newId('file');
    await t.deps.db.file.create({
      data: {
        id: imageId,
        projectId: other.projectId,
        filename: 'chart.png',
        purpose: 'vision',
        bytes: 5n,
        mimeType: 'image/png',
        storageKey: `test/${imageId}`,
      },
    });

    const MESSAGE = `
      id createdAt threadId status role assistantId runId completedAt incompleteAt metadata
      incompleteDetails { reason }
      attachments { fileId tools { type } }
      content {
        type
        text { value annotations { type } }
        imageUrl { url detail }
        imageFile { fileId detail }
      }`;
    const { createThread: thread } = dataOf(
      await t.graphql<{ createThread: { id: string; createdAt: number; metadata: unknown } }>(
        `mutation ($input: CreateThreadInput) { createThread(input: $input) { id createdAt metadata } }`,
        {
          input: {
            metadata: { side: 'graphql' },
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Look at this' },
                  { type: 'image_url', imageUrl: { url: 'https://example.com/a.png' } },
                  { type: 'image_file', imageFile: { fileId: imageId, detail: 'high' } },
                ],
                attachments: [
                  { fileId, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
                ],
                metadata: { k: 'v' },
              },
              { role: 'assistant', content: [{ type: 'text', text: 'Seen.' }] },
            ],
          },
        },
        { apiKey: other.apiKey },
      ),
    );
    const { messages } = dataOf(
      await t.graphql<{
        messages: {
          nodes: GraphQLMessage[];
          pageInfo: { startCursor: string; endCursor: string; hasNextPage: boolean };
        };
      }>(
        `query ($id: ID!) {
          messages(threadId: $id, order: asc) {
            nodes { ${MESSAGE} } pageInfo { startCursor endCursor hasNextPage }
          }
        }`,
        { id: thread.id },
        { apiKey: other.apiKey },
      ),
    );
    expect(messages.nodes).toHaveLength(2);
    expect(messages.pageInfo.hasNextPage).toBe(false);

    const client = t.client(other.apiKey);
    const restThread = await client.beta.threads.retrieve(thread.id);
    expect(restThread).toEqual({
      id: thread.id,
      object: 'thread',
      created_at: thread.createdAt,
      // The file_search attachment went into a vector store made for the thread.
      tool_resources: { file_search: { vector_store_ids: [expect.stringMatching(/^vs_/)] } },
      metadata: { side: 'graphql' },
    });

    const restMessages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(restMessages.data.map((m) => m.id)).toEqual(messages.nodes.map((m) => m.id));
    const rawList = await t.rest(`/threads/${thread.id}/messages?order=asc`, {
      apiKey: other.apiKey,
    });
    expect(await rawList.json()).toMatchObject({
      object: 'list',
      first_id: messages.pageInfo.startCursor,
      last_id: messages.pageInfo.endCursor,
      has_more: false,
    });

    const expected = messages.nodes.map(
      (m): OpenAI.Beta.Threads.Message => ({
        id: m.id,
        object: 'thread.message',
        created_at: m.createdAt,
        thread_id: m.threadId,
        status: m.status as OpenAI.Beta.Threads.Message['status'],
        incomplete_details:
          m.incompleteDetails as OpenAI.Beta.Threads.Message['incomplete_details'],
        completed_at: m.completedAt,
        incomplete_at: m.incompleteAt,
        role: m.role as OpenAI.Beta.Threads.Message['role'],
        assistant_id: m.assistantId,
        run_id: m.runId,
        metadata: m.metadata as Record<string, string>,
        attachments: m.attachments.map((a) => ({
          file_id: a.fileId,
          tools: a.tools.map((tool) => ({ type: tool.type })),
        })) as OpenAI.Beta.Threads.Message['attachments'],
        content: m.content.map((part) =>
          part.type === 'text'
            ? { type: 'text', text: { value: part.text?.value, annotations: [] } }
            : part.type === 'image_url'
              ? { type: 'image_url', image_url: part.imageUrl }
              : {
                  type: 'image_file',
                  image_file: { file_id: part.imageFile?.fileId, detail: part.imageFile?.detail },
                },
        ) as OpenAI.Beta.Threads.Message['content'],
      }),
    );
    expect(restMessages.data).toEqual(expected);

    // Spot-check the mapping with literal values, so a shared mistake cannot pass unnoticed.
    const [first] = restMessages.data;
    expect(first?.content).toEqual([
      { type: 'text', text: { value: 'Look at this', annotations: [] } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
      { type: 'image_file', image_file: { file_id: imageId, detail: 'high' } },
    ]);
    expect(first?.attachments).toEqual([
      { file_id: fileId, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
    ]);
    expect(first?.created_at).toBe(messages.nodes[0]?.createdAt);

    const single = await client.beta.threads.messages.retrieve(first?.id ?? '', {
      thread_id: thread.id,
    });
    expect(single).toEqual(expected[0]);
  });
});
