import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { uploadFile } from '../setup/factories.js';
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

const CSV = 'region,amount\nnorth,12\nsouth,30\n';

const ANALYSIS = [
  'import csv',
  "rows = list(csv.DictReader(open('sales.csv')))",
  "total = sum(int(row['amount']) for row in rows)",
  "print('total', total)",
  "with open('shares.csv', 'w') as out:",
  "    out.write('region,share\\n')",
  '    for row in rows:',
  "        out.write(f\"{row['region']},{int(row['amount']) / total:.2f}\\n\")",
].join('\n');

const SHARES = 'region,share\nnorth,0.29\nsouth,0.71\n';

const codeCall = (code: string) => ({
  toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
});

describe('code_interpreter in responses', () => {
  it('runs the code on the container’s files, keeps what it wrote as container files, and cites them', async () => {
    const input = await uploadFile(app.t, 'sales.csv', CSV);
    app.upstream.script(codeCall(ANALYSIS), {
      text: ['The total is 42: ', '[shares](sandbox:/mnt/data/shares.csv).'],
    });
    const { openai } = app.t;
    const response = await openai.responses.create({
      model: 'gpt-test',
      input: 'Total the sales and write the shares.',
      tools: [{ type: 'code_interpreter', container: { type: 'auto', file_ids: [input.id] } }],
      include: ['code_interpreter_call.outputs'],
    });
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('completed');
    const [call, message] = response.output;
    if (call?.type !== 'code_interpreter_call' || message?.type !== 'message') {
      throw new Error(`unexpected output: ${JSON.stringify(response.output)}`);
    }
    expect(call).toMatchObject({ status: 'completed', code: ANALYSIS });
    expect(call.id).toMatch(/^ci_/);
    expect(call.container_id).toMatch(/^cntr_/);
    expect(call.outputs).toEqual([{ type: 'logs', logs: 'total 42\n' }]);
    expect(response.output_text).toBe('The total is 42: [shares](sandbox:/mnt/data/shares.csv).');

    const files = await openai.containers.files.list(call.container_id, { order: 'asc' });
    expect(files.data.map((file) => [file.path, file.source])).toEqual([
      ['/mnt/data/sales.csv', 'user'],
      ['/mnt/data/shares.csv', 'assistant'],
    ]);
    const written = files.data[1];
    const content = await openai.containers.files.content.retrieve(written?.id ?? '', {
      container_id: call.container_id,
    });
    expect(await content.text()).toBe(SHARES);

    const [part] = message.content;
    const start = response.output_text.indexOf('sandbox:');
    expect(part?.type === 'output_text' ? part.annotations : []).toEqual([
      {
        type: 'container_file_citation',
        container_id: call.container_id,
        file_id: written?.id,
        start_index: start,
        end_index: start + 'sandbox:/mnt/data/shares.csv'.length,
        filename: 'shares.csv',
      },
    ]);

    // The model was offered the tool as a function, and saw the result before answering.
    const [first, second] = app.upstream.requests.slice(-2).map((request) => request.body);
    expect(first?.tools).toMatchObject([
      { type: 'function', function: { name: 'code_interpreter' } },
    ]);
    expect(second?.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: call.id,
      content: 'total 42\n\n[files saved: sandbox:/mnt/data/shares.csv]',
    });

    // A retrieve without its own include shows what the create asked for.
    const again = await openai.responses.retrieve(response.id);
    expectResponsesSpec('Response', again);
    expect(again.output[0]).toMatchObject({ type: 'code_interpreter_call', outputs: call.outputs });
  });

  it('meters one code interpreter session per response that ran code, for its key', async () => {
    const { openai, deps } = app.t;
    const container = await openai.containers.create({ name: 'Metered' });
    const tools = [{ type: 'code_interpreter' as const, container: container.id }];
    // Two calls in one response share its session; the next response on the container counts its own.
    app.upstream.script(codeCall('x = 1'), codeCall('print(x + 1)'), { text: 'Two.' });
    const twice = await openai.responses.create({ model: 'gpt-test', input: 'Go', tools });
    app.upstream.script(codeCall('print(x)'), { text: 'One.' });
    const once = await openai.responses.create({ model: 'gpt-test', input: 'Again', tools });
    app.upstream.script({ text: 'No code.' });
    const none = await openai.responses.create({ model: 'gpt-test', input: 'Talk', tools });
    expect(twice.output.filter((item) => item.type === 'code_interpreter_call')).toHaveLength(2);
    const stored = await deps.db.response.findUniqueOrThrow({ where: { id: twice.id } });
    const rows = await deps.db.usageRecord.findMany({
      where: {
        kind: 'code_interpreter_sessions',
        responseId: { in: [twice.id, once.id, none.id] },
      },
      orderBy: { id: 'asc' },
    });
    expect(
      rows.map((row) => [row.responseId, row.projectId, row.apiKeyId, row.requests, row.runId]),
    ).toEqual([
      [twice.id, stored.projectId, stored.apiKeyId, 1, null],
      [once.id, stored.projectId, stored.apiKeyId, 1, null],
    ]);
    expect(stored.apiKeyId).not.toBeNull();
  });

  it('forces code_interpreter on the first model call when tool_choice names it, and only in tools', async () => {
    const { openai, deps } = app.t;
    app.upstream.script(codeCall('print(6 * 7)'), { text: 'Forty-two.' });
    const before = app.upstream.requests.length;
    const response = await openai.responses.create({
      model: 'gpt-test',
      input: 'Compute it.',
      tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
      tool_choice: { type: 'code_interpreter' },
    });
    expectResponsesSpec('Response', response);
    expect(response.tool_choice).toEqual({ type: 'code_interpreter' });
    expect(response.output.map((item) => item.type)).toEqual(['code_interpreter_call', 'message']);
    // Forced once, like OpenAI: after the call the model may answer, so the next call is back to auto.
    const choices = app.upstream.requests.slice(before).map((request) => request.body.tool_choice);
    expect(choices).toEqual([{ type: 'function', function: { name: 'code_interpreter' } }, 'auto']);

    const stored = await deps.db.response.count();
    const missing = await apiError(
      openai.responses.create({
        model: 'gpt-test',
        input: 'Compute it.',
        tools: [
          { type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false },
        ],
        tool_choice: { type: 'code_interpreter' },
      }),
    );
    expect(missing).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'tool_choice',
      error: expect.objectContaining({
        message: expect.stringContaining(
          "Tool choice 'code_interpreter' not found in 'tools' parameter",
        ),
      }),
    });
    expect(app.upstream.requests.length).toBe(before + 2);
    expect(await deps.db.response.count()).toBe(stored);
  });

  it('streams OpenAI’s code_interpreter events in order, spec-valid, on a named container', async () => {
    const { openai } = app.t;
    const container = await openai.containers.create({ name: 'Stream' });
    app.upstream.script(
      {
        ...codeCall("print(6 * 7)\nopen('answer.txt', 'w').write('42')"),
        delayMsBetweenChunks: 20,
      },
      { text: ['It is 42: ', '[answer](sandbox:/mnt/data/answer.txt).'] },
    );
    const stream = openai.responses.stream({
      model: 'gpt-test',
      input: 'Compute 6 * 7.',
      tools: [{ type: 'code_interpreter', container: container.id }],
    });
    const events: { type: string; sequence_number: number }[] = [];
    const added: unknown[] = [];
    let code = '';
    for await (const event of stream) {
      expectResponsesSpec('ResponseStreamEvent', event);
      events.push(event);
      if (event.type === 'response.code_interpreter_call_code.delta') {
        code += event.delta;
      }
      if (event.type === 'response.output_text.annotation.added') {
        added.push(event);
      }
    }
    const final = await stream.finalResponse();
    expectResponsesSpec('Response', final);
    expect(code).toBe("print(6 * 7)\nopen('answer.txt', 'w').write('42')");
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
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(final.output[0]).toMatchObject({
      type: 'code_interpreter_call',
      container_id: container.id,
      outputs: null,
    });
    // The answer's link to the file the code wrote: announced as it is in the final message.
    const message = final.output[1];
    const [part] = message?.type === 'message' ? message.content : [];
    const annotations = part?.type === 'output_text' ? part.annotations : [];
    const start = final.output_text.indexOf('sandbox:');
    expect(annotations).toEqual([
      {
        type: 'container_file_citation',
        container_id: container.id,
        file_id: expect.stringMatching(/^cfile_/),
        start_index: start,
        end_index: start + 'sandbox:/mnt/data/answer.txt'.length,
        filename: 'answer.txt',
      },
    ]);
    expect(added).toEqual([
      expect.objectContaining({
        item_id: message?.id,
        output_index: 1,
        content_index: 0,
        annotation_index: 0,
        annotation: annotations[0],
      }),
    ]);
    // Not shown without include, but kept: a read that asks for them gets them.
    const withOutputs = await openai.responses.retrieve(final.id, {
      include: ['code_interpreter_call.outputs'],
    });
    expectResponsesSpec('Response', withOutputs);
    expect(withOutputs.output[0]).toMatchObject({
      outputs: [{ type: 'logs', logs: expect.stringContaining('42\n') }],
    });
    const plain = await openai.responses.retrieve(final.id);
    expect(plain.output[0]).toMatchObject({ outputs: null });
    const files = await openai.containers.files.list(container.id);
    expect(files.data.map((file) => file.path)).toEqual(['/mnt/data/answer.txt']);
    const used = await openai.containers.retrieve(container.id);
    expect(used.last_active_at).toBeGreaterThanOrEqual(container.last_active_at ?? 0);
  });

  it('refuses an expired, unknown or foreign container, and unknown auto files, writing nothing', async () => {
    const { openai } = app.t;
    const container = await openai.containers.create({ name: 'Old' });
    await app.t.deps.db.container.update({
      where: { id: container.id },
      data: { lastActiveAt: new Date(Date.now() - 60 * 60_000) },
    });
    const before = await app.t.deps.db.response.count();
    const create = (tool: unknown) =>
      openai.responses.create({ model: 'gpt-test', input: 'x', tools: [tool as never] });
    const expired = await apiError(create({ type: 'code_interpreter', container: container.id }));
    expect(expired.status).toBe(400);
    expect(expired.error).toEqual({
      message: 'Container is expired.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const unknown = await apiError(create({ type: 'code_interpreter', container: 'cntr_nope' }));
    expect(unknown.status).toBe(404);
    expect(unknown.param).toBe('tools[0].container');

    const { apiKey } = await app.t.createOtherProject();
    const theirs = await app.t.client(apiKey).containers.create({ name: 'Theirs' });
    const foreign = await apiError(create({ type: 'code_interpreter', container: theirs.id }));
    expect(foreign.status).toBe(404);
    const noFile = await apiError(
      create({ type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-nope'] } }),
    );
    expect(noFile.status).toBe(400);
    expect(noFile.param).toBe('tools[0].container.file_ids');
    const badInclude = await apiError(
      openai.responses.create({ model: 'gpt-test', input: 'x', include: ['nope' as never] }),
    );
    expect(badInclude.status).toBe(400);
    expect(badInclude.param).toBe('include[0]');
    expect(await app.t.deps.db.response.count()).toBe(before);
  });
});
