import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

const workDir = await mkdtemp(path.join(tmpdir(), 'container-sessions-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

let app: AppWithUpstream;
useAppWithUpstream(
  { env: { SANDBOX_WORK_DIR: workDir, SANDBOX_TIMEOUT_MS: '10000' } },
  (started) => {
    app = started;
  },
);

const PRICES = 'The widget costs 12 euros and the gadget costs 30 euros.';
const CODE = "total = 12 + 30\nprint(total)\nopen('total.txt', 'w').write(str(total))";

describe('file_search and code_interpreter in one response', () => {
  it('searches, then runs code, then answers citing both, streaming every event in order', async () => {
    // Retries: on a loaded machine a setup request has had its connection reset.
    const openai = new OpenAI({
      apiKey: app.t.apiKey,
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 3,
    });
    const store = await openai.vectorStores.create({ name: 'prices' });
    const file = await openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(PRICES), 'prices.txt'),
      { pollIntervalMs: 50 },
    );
    expect(file.status).toBe('completed');
    app.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"widget gadget price"}' }] },
      { toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code: CODE }) }] },
      { text: ['42 euros', '【0:0†prices.txt】', ': ', '[total](sandbox:/mnt/data/total.txt).'] },
    );
    const before = app.upstream.requests.length;
    const stream = app.t.openai.responses.stream({
      model: 'gpt-test',
      input: 'What do a widget and a gadget cost together?',
      tools: [
        { type: 'file_search', vector_store_ids: [store.id] },
        { type: 'code_interpreter', container: { type: 'auto' } },
      ],
    });
    const events: { type: string; sequence_number: number }[] = [];
    const added: unknown[] = [];
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      events.push(event);
      if (event.type === 'response.output_text.annotation.added') {
        added.push(event);
      }
    }
    const final = await stream.finalResponse();
    expectResponsesSpec('Response', final);
    expect(final.status).toBe('completed');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events
      .map((event) => event.type)
      .filter(
        (type) =>
          type !== 'response.code_interpreter_call_code.delta' &&
          type !== 'response.output_text.delta',
      );
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.annotation.added',
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const itemEvents = events.filter(
      (event): event is typeof event & { output_index: number } =>
        'output_index' in event && event.type.startsWith('response.output_item.'),
    );
    expect(itemEvents.map((event) => event.output_index)).toEqual([0, 0, 1, 1, 2, 2]);

    const [search, code, message] = final.output;
    expect(final.output).toHaveLength(3);
    expect(search).toMatchObject({
      type: 'file_search_call',
      status: 'completed',
      queries: ['widget gadget price'],
    });
    expect(code).toMatchObject({ type: 'code_interpreter_call', status: 'completed', code: CODE });
    const containerId = code?.type === 'code_interpreter_call' ? code.container_id : '';
    expect(containerId).toMatch(/^cntr_/);
    expect(final.output_text).toBe('42 euros: [total](sandbox:/mnt/data/total.txt).');
    const [part] = message?.type === 'message' ? message.content : [];
    const annotations = part?.type === 'output_text' ? part.annotations : [];
    const start = final.output_text.indexOf('sandbox:');
    expect(annotations).toEqual([
      { type: 'file_citation', file_id: file.id, filename: 'prices.txt', index: '42 euros'.length },
      {
        type: 'container_file_citation',
        container_id: containerId,
        file_id: expect.stringMatching(/^cfile_/),
        start_index: start,
        end_index: start + 'sandbox:/mnt/data/total.txt'.length,
        filename: 'total.txt',
      },
    ]);
    expect(added).toEqual(
      annotations.map((annotation, index) =>
        expect.objectContaining({
          item_id: message?.id,
          output_index: 2,
          content_index: 0,
          annotation_index: index,
          annotation,
        }),
      ),
    );

    // Three model calls: both tools offered as functions each time, each result seen by the next.
    const requests = app.upstream.requests.slice(before).map((request) => request.body);
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.tools).toMatchObject([
        { type: 'function', function: { name: 'file_search' } },
        { type: 'function', function: { name: 'code_interpreter' } },
      ]);
    }
    expect(requests[1]?.messages.at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: search?.id,
      content: expect.stringContaining(PRICES),
    });
    expect(requests[2]?.messages.at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: code?.id,
      content: expect.stringContaining('42\n'),
    });
  });
});
