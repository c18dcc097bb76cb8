import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

const NOTES = [
  '# Worker notes',
  'The worker is woken by LISTEN and NOTIFY from the enqueuing transaction, so job pickup takes a few milliseconds.',
].join('\n');
const RECIPES = 'Pancakes need flour, milk, eggs and a hot pan. Flip them once bubbles appear.';

/**
 * A vector store holding two indexed files. Set up with retries: on a loaded machine one of
 * these setup requests (store, uploads, polls) has had its connection reset (ECONNRESET), and
 * that setup is not what these tests are about.
 */
async function knowledgeBase() {
  const openai = new OpenAI({
    apiKey: app.t.apiKey,
    baseURL: `${app.t.baseUrl}/v1`,
    maxRetries: 3,
  });
  const store = await openai.vectorStores.create({ name: 'kb' });
  const notes = await openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(NOTES), 'worker-notes.md'),
    { pollIntervalMs: 50 },
  );
  const recipes = await openai.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(RECIPES), 'recipes.txt'),
    { pollIntervalMs: 50 },
  );
  expect([notes.status, recipes.status]).toEqual(['completed', 'completed']);
  return { storeId: store.id, notesFileId: notes.id };
}

const SEARCH_CALL = {
  toolCalls: [{ name: 'file_search', arguments: '{"query":"worker woken LISTEN NOTIFY"}' }],
};

describe('file_search in responses', () => {
  it('searches, streams the call’s events in OpenAI’s order and cites the passage', async () => {
    const { storeId, notesFileId } = await knowledgeBase();
    app.upstream.script(SEARCH_CALL, {
      text: ['Through LISTEN/NOTIFY', '【0:0†worker-', 'notes.md】', ', in milliseconds.'],
    });
    const stream = app.t.openai.responses.stream({
      model: 'gpt-test',
      input: 'How is the worker woken up?',
      tools: [{ type: 'file_search', vector_store_ids: [storeId], max_num_results: 5 }],
      include: ['file_search_call.results'],
    });
    const events: { type: string; sequence_number: number }[] = [];
    let deltas = '';
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      events.push(event);
      if (event.type === 'response.output_text.delta') {
        deltas += event.delta;
      }
    }
    const final = await stream.finalResponse();
    expectResponsesSpec('Response', final);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events
      .map((event) => event.type)
      .filter((type) => type !== 'response.output_text.delta');
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);

    // The call, with its query and (included) results; the answer without the marker, cited.
    const [call, message] = final.output;
    expect(call).toMatchObject({
      type: 'file_search_call',
      status: 'completed',
      queries: ['worker woken LISTEN NOTIFY'],
    });
    const results = call?.type === 'file_search_call' ? (call.results ?? []) : [];
    expect(results[0]).toMatchObject({
      file_id: notesFileId,
      filename: 'worker-notes.md',
      text: NOTES,
    });
    expect(results.length).toBeLessThanOrEqual(5);
    expect(final.output_text).toBe('Through LISTEN/NOTIFY, in milliseconds.');
    expect(deltas).toBe(final.output_text);
    const part = message?.type === 'message' ? message.content[0] : undefined;
    expect(part?.type === 'output_text' ? part.annotations : null).toEqual([
      {
        type: 'file_citation',
        file_id: notesFileId,
        filename: 'worker-notes.md',
        index: 'Through LISTEN/NOTIFY'.length,
      },
    ]);

    // The upstream was offered file_search as a function, then given the passages to cite.
    expect(app.upstream.requests.at(-2)?.body.tools).toMatchObject([
      { type: 'function', function: { name: 'file_search' } },
    ]);
    const second = app.upstream.requests.at(-1)?.body.messages ?? [];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second[1]?.tool_calls).toMatchObject([
      { function: { name: 'file_search', arguments: '{"query":"worker woken LISTEN NOTIFY"}' } },
    ]);
    expect(String(second[2]?.content)).toContain('【0:0†worker-notes.md】');
    expect(String(second[2]?.content)).toContain('LISTEN and NOTIFY');

    const again = await app.t.openai.responses.retrieve(final.id);
    expectResponsesSpec('Response', again);
    // The SDK's finalResponse adds `parsed` to text parts; the rest is the same.
    expect(final.output).toMatchObject(again.output);
    expect(again.tools).toEqual([
      {
        type: 'file_search',
        vector_store_ids: [storeId],
        max_num_results: 5,
        ranking_options: { ranker: 'auto', score_threshold: 0 },
        filters: null,
      },
    ]);
  });

  it('without include shows no results, yet the next turn’s model sees the passages', async () => {
    const { storeId } = await knowledgeBase();
    app.upstream.script(SEARCH_CALL, { text: 'Through LISTEN/NOTIFY【0:0†worker-notes.md】.' });
    const { openai } = app.t;
    const tools = [{ type: 'file_search' as const, vector_store_ids: [storeId] }];
    const first = await openai.responses.create({
      model: 'gpt-test',
      input: 'How is the worker woken up?',
      tools,
    });
    expectResponsesSpec('Response', first);
    expect(first.output[0]).toMatchObject({ type: 'file_search_call', results: null });
    expect(first.output_text).toBe('Through LISTEN/NOTIFY.');
    // A read may ask for them.
    const read = await openai.responses.retrieve(first.id, {
      include: ['file_search_call.results'],
    });
    expectResponsesSpec('Response', read);
    expect(read.output[0]).toMatchObject({ results: [{ filename: 'worker-notes.md' }] });
    const badRead = await apiError(
      openai.responses.retrieve(first.id, { include: ['nope' as never] }),
    );
    expect(badRead).toMatchObject({ status: 400, param: 'include[0]' });

    app.upstream.script({ text: 'A few milliseconds.' });
    const second = await openai.responses.create({
      model: 'gpt-test',
      input: 'How fast?',
      previous_response_id: first.id,
      tools,
    });
    expectResponsesSpec('Response', second);
    const sent = app.upstream.requests.at(-1)?.body.messages ?? [];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(String(sent[2]?.content)).toContain('LISTEN and NOTIFY');
  });

  it('on a conversation: its items show the results only when the list asks for them', async () => {
    const { storeId, notesFileId } = await knowledgeBase();
    const { openai } = app.t;
    const conversation = await openai.conversations.create();
    app.upstream.script(SEARCH_CALL, { text: 'LISTEN/NOTIFY.' });
    await openai.responses.create({
      model: 'gpt-test',
      input: 'How is the worker woken up?',
      conversation: conversation.id,
      tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
    });
    const plain = await openai.conversations.items.list(conversation.id, { order: 'asc' });
    const raw = await app.t.rest(
      `/conversations/${conversation.id}/items?order=asc&include[]=file_search_call.results`,
    );
    expectResponsesSpec('ConversationItemList', await raw.json());
    const call = plain.data.find((item) => item.type === 'file_search_call');
    expect(call).toMatchObject({ type: 'file_search_call', results: null });

    const included = await openai.conversations.items.list(conversation.id, {
      order: 'asc',
      include: ['file_search_call.results'],
    });
    const withResults = included.data.find((item) => item.type === 'file_search_call');
    expect(withResults).toMatchObject({ results: [{ file_id: notesFileId }] });
    const one = await openai.conversations.items.retrieve(call?.id ?? '', {
      conversation_id: conversation.id,
      include: ['file_search_call.results'],
    });
    expectResponsesSpec('ConversationItem', one);
    expect(one).toMatchObject({ results: [{ file_id: notesFileId }] });
    const bad = await apiError(
      openai.conversations.items.list(conversation.id, { include: ['everything' as never] }),
    );
    expect(bad).toMatchObject({ status: 400, param: 'include[0]', code: 'invalid_value' });
  });

  it('stops a model that keeps searching: the sixth call may not search, and ends there', async () => {
    const { storeId } = await knowledgeBase();
    app.upstream.script(...Array.from({ length: 6 }, () => SEARCH_CALL));
    const before = app.upstream.requests.length;
    const response = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: 'Search forever.',
      tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
      tool_choice: 'required',
    });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('completed');
    expect(response.output.map((item) => ('status' in item ? item.status : null))).toEqual([
      ...Array.from({ length: 5 }, () => 'completed'),
      'incomplete',
    ]);
    const choices = app.upstream.requests.slice(before).map((request) => request.body.tool_choice);
    expect(choices).toEqual(['required', 'auto', 'auto', 'auto', 'auto', 'none']);
  });

  it('filters by attributes: a store’s files that do not match are not searched', async () => {
    const { storeId, notesFileId } = await knowledgeBase();
    await app.t.openai.vectorStores.files.update(notesFileId, {
      vector_store_id: storeId,
      attributes: { topic: 'ops' },
    });
    app.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"worker pancakes"}' }] },
      { text: 'Nothing about that.' },
    );
    const response = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: 'Pancakes?',
      tools: [
        {
          type: 'file_search',
          vector_store_ids: [storeId],
          filters: { type: 'ne', key: 'topic', value: 'ops' },
        },
      ],
      include: ['file_search_call.results'],
    });
    expectResponsesSpec('Response', response);
    const call = response.output[0];
    const results = call?.type === 'file_search_call' ? (call.results ?? []) : [];
    expect(results.map((result) => result.filename)).toEqual(['recipes.txt']);
  });

  it('refuses unknown and other projects’ vector stores with OpenAI’s 404, writing nothing', async () => {
    const { openai } = app.t;
    const before = app.upstream.requests.length;
    const stored = await app.t.deps.db.response.count();
    const unknown = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }],
      }),
    );
    expect(unknown).toMatchObject({ status: 404, param: 'tools[0].vector_store_ids[0]' });
    expect(unknown.error).toMatchObject({
      message: "Vector store with id 'vs_missing' not found.",
      type: 'invalid_request_error',
    });

    const other = await app.t.createOtherProject();
    const theirs = await new OpenAI({
      apiKey: other.apiKey,
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    }).vectorStores.create({ name: 'theirs' });
    const foreign = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        tools: [{ type: 'file_search', vector_store_ids: [theirs.id] }],
      }),
    );
    expect(foreign).toMatchObject({ status: 404, param: 'tools[0].vector_store_ids[0]' });

    const empty = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        tools: [{ type: 'file_search', vector_store_ids: [] }],
      }),
    );
    expect(empty).toMatchObject({ status: 400, param: 'tools[0].vector_store_ids' });
    const badType = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        tools: [{ type: 'web_search_preview_x' } as never],
      }),
    );
    expect(badType).toMatchObject({ status: 400, param: 'tools[0].type', code: 'invalid_value' });
    const choice = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Hi',
        tool_choice: { type: 'file_search' },
      }),
    );
    expect(choice).toMatchObject({ status: 400, param: 'tool_choice' });
    expect(app.upstream.requests.length).toBe(before);
    expect(await app.t.deps.db.response.count()).toBe(stored);
  });
});
