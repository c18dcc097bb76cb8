import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread, scriptedRun } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf } from '../setup/graphql-response.js';

let t: TestApp;
let upstream: FakeUpstream;
// The worker runs the runs that give the threads their steps; its sweep and takeover check are
// pushed out of the way so that only the measured query talks to PostgreSQL through our pools.
useAppWithUpstream(
  { env: { RUN_SWEEP_INTERVAL_MS: '3600000', RUN_TAKEOVER_CHECK_MS: '3600000' } },
  (started) => {
    t = started.t;
    upstream = started.upstream;
  },
);

/** A thread of `questions` user messages answered by `runs` runs (one message and step each). */
async function threadWith(questions: number, runs: number) {
  const { assistant, thread } = await assistantAndThread(t, {
    messages: Array.from({ length: questions }, (_, index) => `question ${String(index)}`),
  });
  for (let index = 0; index < runs; index += 1) {
    await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { text: 'ok' },
    );
  }
  return thread.id;
}

const NESTED = `query ($id: ID!) {
  thread(id: $id) {
    id
    activeRun { id }
    messages(first: 50) {
      nodes { id role run { id status assistant { id name } } assistant { id } attachments { file { id } } }
    }
    runs(first: 10) {
      nodes {
        id thread { id } assistant { id model }
        steps { nodes { id type message { id role } } }
        messages { nodes { id } }
      }
    }
  }
}`;

/**
 * The statements one GraphQL request sends through the app's own pools, counted where every
 * statement passes (`pg.Client#query`). pg-boss's pool is left out: its polling is the worker's
 * and runs on its own timer. The fewest of three requests: a statement that is not the query's
 * (the key cache's refresh every few seconds) lands in one of them at most.
 */
async function statementsOf(query: string, variables: Record<string, unknown>) {
  let fewest: { data: NestedResult; statements: number } | null = null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const measured = await statementsOfOne(query, variables);
    if (!fewest || measured.statements < fewest.statements) {
      fewest = measured;
    }
  }
  if (!fewest) {
    throw new Error('no measurement');
  }
  return fewest;
}

type NestedResult = { thread: { messages: { nodes: unknown[] }; runs: { nodes: unknown[] } } };

async function statementsOfOne(query: string, variables: Record<string, unknown>) {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    const response = await t.graphql<NestedResult>(query, variables);
    const statements = spy.mock.contexts.filter(
      (client) =>
        (client as pg.Client & { connectionParameters: { application_name?: string } })
          .connectionParameters.application_name !== 'pgboss',
    ).length;
    return { data: dataOf(response), statements };
  } finally {
    spy.mockRestore();
  }
}

describe('statements per nested query', () => {
  it('depend on the depth of the query, not on the number of rows', async () => {
    const small = await threadWith(1, 1);
    const large = await threadWith(15, 5);
    // Warm: the first request of a kind prepares statements and fills the key cache.
    await statementsOf(NESTED, { id: small });

    const few = await statementsOf(NESTED, { id: small });
    const many = await statementsOf(NESTED, { id: large });
    expect(few.data.thread.messages.nodes).toHaveLength(2);
    expect(many.data.thread.messages.nodes).toHaveLength(20);
    expect(many.data.thread.runs.nodes).toHaveLength(5);
    expect(many.statements).toBe(few.statements);
    // One read (or two for a page: its window, then its rows) per relation level, and the key's.
    expect(many.statements).toBeLessThanOrEqual(20);
  });

  it('grow by a constant when the query nests one level deeper, whatever the rows', async () => {
    const thread = await threadWith(4, 3);
    const shallow = await statementsOf(
      'query ($id: ID!) { thread(id: $id) { runs { nodes { id } } } }',
      { id: thread },
    );
    const deeper = await statementsOf(
      'query ($id: ID!) { thread(id: $id) { runs { nodes { id steps { nodes { id } } } } } }',
      { id: thread },
    );
    // A page of steps for all three runs: the window read and the rows, not three of each.
    expect(deeper.statements - shallow.statements).toBe(2);
  });
});
