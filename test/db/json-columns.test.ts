import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { storedAssistantToolsSchema } from '../../src/services/assistants/assistant-tools.js';
import { CorruptRowError, parseJsonColumn } from '../../src/services/common/json-column.js';
import { stepDetailsSchema } from '../../src/services/runs/run-step-details.js';
import { apiError } from '../setup/api-error.js';
import { startTestApp, type TestApp } from '../setup/app.js';

// A JSON column altered outside the server (a manual UPDATE, a bad migration) must fail where
// it is read, as a 500 that names the row in the logs, not as a TypeError deep in a resolver.

/** What the app logs at error level, one parsed line each. */
const logged: unknown[] = [];

let t: TestApp;

beforeAll(async () => {
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  // No worker: the run stays queued, so nothing but this test touches its row.
  t = await startTestApp({}, { worker: false, logger });
});
afterAll(() => t.close());

async function queuedRun() {
  const assistant = await t.openai.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'code_interpreter' }],
  });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Hello' }],
  });
  const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  return { assistant, thread, run };
}

/** Log lines (REST's and yoga's alike) that mention `text`. */
function logsMentioning(text: string): unknown[] {
  return logged.filter((line) => JSON.stringify(line).includes(text));
}

async function expectServer500(promise: Promise<unknown>) {
  const error = await apiError(promise);
  expect(error.status).toBe(500);
  // The same envelope as any other 500: nothing of the row or the schema leaks.
  expect(error.error).toEqual({
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    param: null,
    code: null,
  });
}

describe('parseJsonColumn', () => {
  it('returns valid stored values as they are', () => {
    const tools = [
      { type: 'code_interpreter' },
      { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: null } },
    ];
    expect(
      parseJsonColumn(storedAssistantToolsSchema, tools, { table: 'runs', id: 'x', column: 'y' }),
    ).toEqual(tools);
  });

  it('throws a CorruptRowError naming the table, row, column and what is wrong', () => {
    const at = { table: 'runs', id: 'run_abc123', column: 'tools' };
    const parse = () => parseJsonColumn(storedAssistantToolsSchema, 'oops', at);
    expect(parse).toThrow(CorruptRowError);
    expect(parse).toThrow(/^runs run_abc123 column tools does not hold what it should: \(root\): /);
    const error = (() => {
      try {
        parse();
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(String(error)).toMatch(/^CorruptRowError: runs run_abc123 column tools/);
    expect(error).toMatchObject({ table: 'runs', id: 'run_abc123', column: 'tools' });
  });

  it('gives the path of the bad value inside the column', () => {
    const details = { type: 'tool_calls', toolCalls: [{ id: 'call_1', type: 'function' }] };
    expect(() =>
      parseJsonColumn(stepDetailsSchema, details, {
        table: 'run_steps',
        id: 'step_1',
        column: 'stepDetails',
      }),
    ).toThrow(/^run_steps step_1 column stepDetails .*: toolCalls\.0\.function: /);
  });
});

describe('a corrupt row in PostgreSQL', () => {
  it('runs.tools: REST answers 500 server_error, GraphQL a masked error, and the logs name the row', async () => {
    const { thread, run } = await queuedRun();
    const other = await queuedRun();
    await t.deps.db.$executeRaw(
      Prisma.sql`UPDATE runs SET tools = '"oops"'::jsonb WHERE id = ${run.id}`,
    );

    await expectServer500(t.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }));
    await expectServer500(t.openai.beta.threads.runs.list(thread.id));

    const response = await t.graphql<{ run: unknown }>(
      `query ($threadId: ID!, $id: ID!) { run(threadId: $threadId, id: $id) { id tools { type } } }`,
      { threadId: thread.id, id: run.id },
    );
    expect(response.data?.run ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toBe('Unexpected error.');
    expect(response.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(response)).not.toContain('oops');

    // Both edges logged it, naming the row.
    const named = logsMentioning(`runs ${run.id} column tools does not hold what it should`);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(logged).toContainEqual(
      expect.objectContaining({
        err: expect.objectContaining({
          type: 'CorruptRowError',
          table: 'runs',
          id: run.id,
          column: 'tools',
        }),
      }),
    );

    // Only that row is affected, and the server is still up.
    const fine = await t.openai.beta.threads.runs.retrieve(other.run.id, {
      thread_id: other.thread.id,
    });
    expect(fine.tools).toEqual([{ type: 'code_interpreter' }]);
  });

  it('messages.content and threads.tool_resources: the same, per table', async () => {
    const { thread } = await queuedRun();
    const [message] = (await t.openai.beta.threads.messages.list(thread.id)).data;
    if (!message) {
      throw new Error('expected the thread’s message');
    }
    await t.deps.db.$executeRaw(
      Prisma.sql`UPDATE messages SET content = '[{"type":"text","text":42}]'::jsonb
                  WHERE id = ${message.id}`,
    );
    await t.deps.db.$executeRaw(
      Prisma.sql`UPDATE threads SET tool_resources = '{"fileSearch":{"vectorStoreIds":"vs_1"}}'::jsonb
                  WHERE id = ${thread.id}`,
    );

    await expectServer500(
      t.openai.beta.threads.messages.retrieve(message.id, { thread_id: thread.id }),
    );
    await expectServer500(t.openai.beta.threads.retrieve(thread.id));
    expect(logsMentioning(`messages ${message.id} column content`).length).toBeGreaterThan(0);
    expect(logsMentioning(`threads ${thread.id} column toolResources`).length).toBeGreaterThan(0);

    const response = await t.graphql<{ thread: unknown }>(
      `query ($id: ID!) { thread(id: $id) { id toolResources { fileSearch { vectorStoreIds } } } }`,
      { id: thread.id },
    );
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.message).toBe('Unexpected error.');

    // Fields that read no corrupt column still answer.
    const ids = await t.graphql<{ thread: { id: string } }>(
      `query ($id: ID!) { thread(id: $id) { id } }`,
      { id: thread.id },
    );
    expect(ids.errors).toBeUndefined();
    expect(ids.data?.thread.id).toBe(thread.id);
  });
});
