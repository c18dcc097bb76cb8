import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../setup/app.js';
import { useAppWithUpstream } from '../../../setup/app-with-upstream.js';
import { scriptedRun } from '../../../setup/factories.js';
import type { FakeUpstream } from '../../../setup/fake-upstream.js';
import { eventSchema, expectSpec } from '../../../setup/openapi.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
});

const INCLUDE = 'step_details.tool_calls[*].file_search.results[*].content' as const;

const NOTES = [
  '# Worker notes',
  'The worker is woken by LISTEN and NOTIFY from the enqueuing transaction, so job pickup takes a few milliseconds.',
].join('\n');
const RECIPES = 'Pancakes need flour, milk, eggs and a hot pan. Flip them once bubbles appear.';

/** An assistant with file_search over a store holding two indexed files. */
async function knowledgeBase(tool: Record<string, unknown> = { type: 'file_search' }) {
  const store = await t.openai.vectorStores.create({ name: 'kb' });
  const notes = await t.openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(NOTES), 'worker-notes.md'),
    { pollIntervalMs: 50 },
  );
  const recipes = await t.openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(RECIPES), 'recipes.txt'),
    { pollIntervalMs: 50 },
  );
  expect([notes.status, recipes.status]).toEqual(['completed', 'completed']);
  const assistant = await t.openai.beta.assistants.create({
    model: 'gpt-4o',
    tools: [tool as { type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'How is the worker woken up?' }],
  });
  return { store, assistant, thread, notesFileId: notes.id };
}

describe('file_search in runs', () => {
  it('searches the assistant’s vector store, replays the passages to the model and cites them', async () => {
    const { assistant, thread, notesFileId } = await knowledgeBase();
    upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"worker woken LISTEN NOTIFY"}' }] },
      { text: ['Through LISTEN/NOTIFY ', '【0:0†worker-', 'notes.md】', ', in milliseconds.'] },
    );
    // The SDK puts `include` in createRun's query: the streamed steps carry the passages.
    const stream = t.openai.beta.threads.runs.stream(thread.id, {
      assistant_id: assistant.id,
      include: [INCLUDE],
    });
    const completedSteps: unknown[] = [];
    const names: string[] = [];
    const stepDeltas: unknown[] = [];
    let completedMessage: unknown = null;
    stream.on('messageDone', (done) => {
      completedMessage = done;
    });
    stream.on('event', ({ event, data }) => {
      names.push(event);
      expectSpec(eventSchema(event), data);
      if (event === 'thread.run.step.delta') {
        stepDeltas.push(data);
      }
      if (event === 'thread.run.step.completed') {
        completedSteps.push(data);
      }
    });
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    const [message] = await stream.finalMessages();

    // One tool_calls step (file_search), then the message step.
    expect(stepDeltas[0]).toMatchObject({
      delta: {
        step_details: {
          type: 'tool_calls',
          tool_calls: [{ index: 0, type: 'file_search', file_search: {} }],
        },
      },
    });
    expect(completedSteps).toHaveLength(2);
    expect(completedSteps[0]).toMatchObject({
      type: 'tool_calls',
      step_details: {
        tool_calls: [
          {
            type: 'file_search',
            file_search: {
              results: [{ file_id: notesFileId, content: [{ type: 'text', text: NOTES }] }],
            },
          },
        ],
      },
    });

    // The model got the passages, labelled with the markers it cites.
    const second = upstream.requests[1]?.body;
    const toolMessage = second?.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('【0:0†worker-notes.md】');
    expect(String(toolMessage?.content)).toContain('LISTEN and NOTIFY');
    const call = second?.messages.find((m) => m.role === 'assistant')?.tool_calls;
    expect(call).toMatchObject([{ type: 'function', function: { name: 'file_search' } }]);
    // The first request offered file_search as a function.
    expect(upstream.requests[0]?.body.tools).toMatchObject([
      { type: 'function', function: { name: 'file_search' } },
    ]);

    // The answer cites the notes file, with exact offsets, in the stream and when read back.
    const text = message?.content[0];
    expect(text?.type).toBe('text');
    const value = text?.type === 'text' ? text.text.value : '';
    const annotations = text?.type === 'text' ? text.text.annotations : [];
    expect(annotations).toHaveLength(1);
    const [citation] = annotations;
    expect(citation).toMatchObject({
      type: 'file_citation',
      text: '【0:0†worker-notes.md】',
      file_citation: { file_id: notesFileId },
    });
    expect(value.slice(citation?.start_index, citation?.end_index)).toBe('【0:0†worker-notes.md】');
    const stored = await t.openai.beta.threads.messages.retrieve(message?.id ?? '', {
      thread_id: thread.id,
    });
    expectSpec('MessageObject', stored);
    // The completed message (not the SDK's delta-accumulated copy) is exactly what is stored.
    expect(stored).toEqual(completedMessage);

    // The step shows the ranked results; passages only with include[].
    const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    const toolStep = steps.data.find((step) => step.type === 'tool_calls');
    expectSpec('RunStepObject', toolStep);
    const details = toolStep?.step_details;
    const fileSearch =
      details?.type === 'tool_calls' && details.tool_calls[0]?.type === 'file_search'
        ? details.tool_calls[0].file_search
        : null;
    expect(fileSearch?.ranking_options).toEqual({ ranker: 'auto', score_threshold: 0 });
    expect(fileSearch?.results?.[0]).toMatchObject({
      file_id: notesFileId,
      file_name: 'worker-notes.md',
    });
    for (const result of fileSearch?.results ?? []) {
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(result).not.toHaveProperty('content');
    }
    const withContent = await t.openai.beta.threads.runs.steps.retrieve(toolStep?.id ?? '', {
      thread_id: thread.id,
      run_id: run.id,
      include: [INCLUDE],
    });
    expectSpec('RunStepObject', withContent);
    const included =
      withContent.step_details.type === 'tool_calls' &&
      withContent.step_details.tool_calls[0]?.type === 'file_search'
        ? withContent.step_details.tool_calls[0].file_search.results
        : [];
    expect(included?.[0]?.content?.[0]?.text).toContain('LISTEN and NOTIFY');
  });

  it('honours the run’s max_num_results and score_threshold override', async () => {
    const { assistant, thread } = await knowledgeBase();
    upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"flour milk eggs pancakes"}' }] },
      { text: 'Done.' },
    );
    const run = await t.openai.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistant.id,
        tools: [
          {
            type: 'file_search',
            file_search: { max_num_results: 1, ranking_options: { score_threshold: 0.01 } },
          },
        ],
      },
      { pollIntervalMs: 50 },
    );
    expect(run.status).toBe('completed');
    const steps = await t.openai.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      include: [INCLUDE],
    });
    const toolStep = steps.data.find((step) => step.type === 'tool_calls');
    const call =
      toolStep?.step_details.type === 'tool_calls' ? toolStep.step_details.tool_calls[0] : null;
    const search = call?.type === 'file_search' ? call.file_search : null;
    expect(search?.ranking_options).toEqual({ ranker: 'auto', score_threshold: 0.01 });
    expect(search?.results).toHaveLength(1);
    expect(search?.results?.[0]?.file_name).toBe('recipes.txt');
    expect(search?.results?.[0]?.content?.[0]?.text).toContain('Pancakes');
  });

  it('tells the model when nothing is found, and refuses a bad include value on steps', async () => {
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
    });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Anything?' }],
    });
    const before = upstream.requests.length;
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"anything"}' }] },
      { text: 'Nothing found.' },
    );
    expect(run.status).toBe('completed');
    const toolMessage = upstream.requests[before + 1]?.body.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toBe('No relevant passages were found in the files.');

    const response = await t.rest(
      `/threads/${thread.id}/runs/${run.id}/steps?include[]=step_details.bogus`,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'include[0]', code: 'invalid_value' },
    });
  });

  it('counts as use of the store, and fails the run on an expired store as OpenAI documents', async () => {
    const { store, assistant, thread } = await knowledgeBase();
    const before = await t.openai.vectorStores.retrieve(store.id);
    const first = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"pancakes"}' }] },
      { text: 'ok' },
    );
    expect(first.status).toBe('completed');
    const after = await t.openai.vectorStores.retrieve(store.id);
    expect(after.last_active_at).toBeGreaterThanOrEqual(before.last_active_at ?? 0);
    expect(after.last_active_at).toBeGreaterThanOrEqual(first.created_at);

    await t.deps.db.vectorStore.update({
      where: { id: store.id },
      data: { expiresAfterDays: 1, expiresAt: new Date(Date.now() - 1000) },
    });
    const second = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"pancakes"}' }] },
    );
    expect(second.status).toBe('failed');
    expect(second.last_error).toEqual({
      code: 'invalid_prompt',
      message: expect.stringContaining(`Vector store ${store.id} has expired`),
    });
  });

  it('asks the model to answer after 8 rounds of searches, and fails the run if it goes on', async () => {
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
    });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Search forever.' }],
    });
    const before = upstream.requests.length;
    const search = { toolCalls: [{ name: 'file_search', arguments: '{"query":"more"}' }] };
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      ...Array.from({ length: 9 }, () => search),
    );
    expect(run.status).toBe('failed');
    expect(run.last_error).toEqual({
      code: 'server_error',
      message: expect.stringContaining('kept calling file_search or code_interpreter'),
    });
    const requests = upstream.requests.slice(before);
    expect(requests).toHaveLength(9);
    // Rounds 0-7 offer the tool; the ninth request asks for an answer without it.
    expect(requests.slice(0, 8).every((request) => request.body.tools !== undefined)).toBe(true);
    expect(requests[8]?.body.tools).toBeUndefined();
    expect(upstream.pending).toBe(0);
  });

  it('shows the search over GraphQL, passages included', async () => {
    const { assistant, thread, notesFileId } = await knowledgeBase();
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"LISTEN NOTIFY"}' }] },
      { text: 'See 【0:0†worker-notes.md】.' },
    );
    const response = await t.graphql<{
      runSteps: {
        nodes: {
          type: string;
          stepDetails: {
            toolCalls: {
              type: string;
              fileSearch: {
                results: { fileId: string; content: { text: string }[] }[];
              } | null;
            }[];
          };
        }[];
      };
      messages: {
        nodes: {
          content: {
            text: { annotations: { type: string; fileCitation: { fileId: string } }[] };
          }[];
        }[];
      };
    }>(
      `query ($threadId: ID!, $runId: ID!) {
        runSteps(threadId: $threadId, runId: $runId) {
          nodes { type stepDetails { toolCalls { type fileSearch { results { fileId content { text } } } } } }
        }
        messages(threadId: $threadId, first: 1) {
          nodes { content { text { annotations { type fileCitation { fileId } } } } }
        }
      }`,
      { threadId: thread.id, runId: run.id },
    );
    expect(response.errors).toBeUndefined();
    const toolStep = response.data?.runSteps.nodes.find((step) => step.type === 'tool_calls');
    const search = toolStep?.stepDetails.toolCalls[0]?.fileSearch;
    expect(search?.results[0]?.fileId).toBe(notesFileId);
    expect(search?.results[0]?.content.map((part) => part.text).join('')).toContain(
      'LISTEN and NOTIFY',
    );
    expect(response.data?.messages.nodes[0]?.content[0]?.text.annotations).toEqual([
      { type: 'file_citation', fileCitation: { fileId: notesFileId } },
    ]);
  });

  it('resolves a citation to its File over GraphQL, and to null once the file is deleted', async () => {
    const { assistant, thread, notesFileId } = await knowledgeBase();
    await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"LISTEN NOTIFY"}' }] },
      { text: 'See 【0:0†worker-notes.md】.' },
    );
    type Citations = {
      thread: {
        messages: {
          nodes: {
            content: {
              text: { annotations: { fileCitation: { fileId: string; file: unknown } }[] };
            }[];
          }[];
        };
      };
    };
    const citation = async () => {
      const response = await t.graphql<Citations>(
        `query ($id: ID!) { thread(id: $id) { messages(first: 1) { nodes { content {
          text { annotations { fileCitation { fileId file { id filename } } } } } } } } }`,
        { id: thread.id },
      );
      expect(response.errors).toBeUndefined();
      return response.data?.thread.messages.nodes[0]?.content[0]?.text.annotations[0]?.fileCitation;
    };
    expect(await citation()).toEqual({
      fileId: notesFileId,
      file: { id: notesFileId, filename: 'worker-notes.md' },
    });
    await t.openai.files.delete(notesFileId);
    expect(await citation()).toEqual({ fileId: notesFileId, file: null });
  });
});
