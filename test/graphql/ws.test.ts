import type { ExecutionResult } from 'graphql';
import { type Client, createClient, type SubscribePayload } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

const clients: Client[] = [];
afterEach(async () => {
  // A client left open would keep its socket, and so the test process, alive.
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

interface Connection {
  client: Client;
  /** Settles with the close code when the server (or the client) closes the socket. */
  closed: Promise<number>;
  /** Settles when `connection_ack` arrives. */
  connected: Promise<void>;
}

function closeCode(event: unknown): number {
  if (typeof event === 'object' && event !== null && 'code' in event) {
    return Number(event.code);
  }
  throw new Error(`not a close event: ${String(event)}`);
}

/** A non-lazy graphql-ws client: it connects at once and never retries. */
function connect(connectionParams?: Record<string, unknown>): Connection {
  let onClosed: (code: number) => void = () => {};
  let onConnected: () => void = () => {};
  const closed = new Promise<number>((resolve) => {
    onClosed = resolve;
  });
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  const client = createClient({
    url: `ws://127.0.0.1:${t.port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    // The close is what the tests assert; the default handler would only log it.
    onNonLazyError: () => {},
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed(closeCode(event)),
    },
  });
  clients.push(client);
  return { client, closed, connected };
}

/** The close code of a connection the server refuses; fails at once if it is acknowledged. */
function refusal({ closed, connected }: Connection): Promise<number> {
  return Promise.race([
    closed,
    connected.then(() => {
      throw new Error('the server acknowledged the connection');
    }),
  ]);
}

/** Runs one operation and resolves with its single result. */
function execute<T>(client: Client, payload: SubscribePayload): Promise<ExecutionResult<T>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<T> | undefined;
    client.subscribe<T>(payload, {
      next: (value) => {
        result = value as ExecutionResult<T>;
      },
      error: reject,
      complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
    });
  });
}

describe('GraphQL over WebSocket (graphql-ws)', () => {
  it('answers a query with the key from connection_init, seeing data created over REST', async () => {
    const other = await t.createOtherProject();
    const created = await t.client(other.apiKey).beta.assistants.create({
      model: 'gpt-4o',
      name: 'over ws',
    });
    const { client, connected } = connect({ authorization: `Bearer ${other.apiKey}` });
    await connected;

    const result = await execute<{ assistants: { nodes: { id: string; name: string }[] } }>(
      client,
      {
        query: '{ assistants { nodes { id name } } }',
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.assistants.nodes).toEqual([{ id: created.id, name: 'over ws' }]);
  });

  it('runs a mutation whose write REST then reads', async () => {
    const { client } = connect({ authorization: `Bearer ${t.apiKey}` });
    const result = await execute<{ createAssistant: { id: string; metadata: unknown } }>(client, {
      query: `mutation ($input: CreateAssistantInput!) {
        createAssistant(input: $input) { id metadata }
      }`,
      variables: { input: { model: 'gpt-4o-mini', name: 'made over ws', metadata: { via: 'ws' } } },
    });
    expect(result.errors).toBeUndefined();
    const id = result.data?.createAssistant.id ?? '';
    expect(id).toMatch(/^asst_/);
    expect(result.data?.createAssistant.metadata).toEqual({ via: 'ws' });
    const rest = await t.openai.beta.assistants.retrieve(id);
    expect(rest).toMatchObject({ name: 'made over ws', model: 'gpt-4o-mini' });
  });

  it('returns service errors with their codes over the socket', async () => {
    const { client } = connect({ authorization: `Bearer ${t.apiKey}` });
    const result = await execute(client, {
      query: 'query ($id: ID!) { assistant(id: $id) { id } }',
      variables: { id: 'asst_missing' },
    });
    // A lookup is nullable: the missing assistant is null beside its error.
    expect(result.data).toEqual({ assistant: null });
    expect(result.errors?.[0]).toMatchObject({
      message: "No assistant found with id 'asst_missing'.",
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('closes a connection without credentials with 4403 before any operation', async () => {
    const connection = connect();
    expect(await refusal(connection)).toBe(4403);
    const { client } = connection;
    // An operation on the refused client fails instead of running unauthenticated.
    await expect(execute(client, { query: '{ assistants { nodes { id } } }' })).rejects.toSatisfy(
      (error: unknown) => closeCode(error) === 4403,
    );
  });

  it('closes a connection with an unknown key with 4403', async () => {
    expect(await refusal(connect({ authorization: 'Bearer sk-not-a-real-key' }))).toBe(4403);
  });

  it('closes a connection whose authorization is not a Bearer string with 4403', async () => {
    expect(await refusal(connect({ authorization: t.apiKey }))).toBe(4403);
  });

  it('answers an operation with UNAUTHENTICATED once the connection’s key is revoked', async () => {
    const other = await t.createOtherProject();
    const connection = connect({ authorization: `Bearer ${other.apiKey}` });
    await connection.connected;
    await t.deps.db.apiKey.updateMany({
      where: { projectId: other.projectId },
      data: { revokedAt: new Date() },
    });
    const refused = await execute(connection.client, {
      query: '{ assistants { nodes { id } } }',
    }).then(
      () => null,
      (error: unknown) => error,
    );
    // graphql-ws hands an `error` message's GraphQL errors to the sink as an array.
    expect(refused).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Incorrect API key provided: /),
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    ]);
  });
});

describe('GraphQL limits over WebSocket', () => {
  /** The errors of an operation the server answers with an `error` message. */
  async function refusal(client: Client, payload: SubscribePayload): Promise<unknown> {
    return execute(client, payload).then(
      (result) => {
        throw new Error(`expected an error message, got ${JSON.stringify(result)}`);
      },
      (error: unknown) => error,
    );
  }

  /** Whether the socket is still open, as far as the client has been told. */
  function isOpen({ closed }: Connection): Promise<boolean> {
    return Promise.race([
      closed.then(() => false),
      new Promise<boolean>((r) => setImmediate(r, true)),
    ]);
  }

  it('refuses a subscription over the depth limit, keeping the socket for the next operation', async () => {
    const connection = connect({ authorization: `Bearer ${t.apiKey}` });
    const deep = `${'status { '.repeat(19)}x${' }'.repeat(19)}`;
    const refused = await refusal(connection.client, {
      query: `subscription Deep { runEvents(threadId: "thread_x", runId: "run_x") { ${deep} } }`,
    });
    expect(refused).toEqual([
      expect.objectContaining({
        message: "Operation 'Deep' is 21 fields deep; the limit is 20.",
        extensions: expect.objectContaining({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 20 }),
      }),
    ]);
    const next = await execute(connection.client, { query: '{ __typename }' });
    expect(next).toEqual({ data: { __typename: 'Query' } });
    expect(await isOpen(connection)).toBe(true);
  });

  it('refuses a cost over the limit with the variables sent, as an error message', async () => {
    const { client } = connect({ authorization: `Bearer ${t.apiKey}` });
    const query =
      'query Files($n: Int) { files(first: $n) { nodes { id filename bytes purpose } } }';
    expect(await refusal(client, { query, variables: { n: 5000 } })).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Operation 'Files' may cost 25001; the limit is 10000/),
        extensions: expect.objectContaining({ code: 'COST_LIMIT_EXCEEDED' }),
      }),
    ]);
    expect(await execute(client, { query, variables: { n: 5 } })).toEqual({
      data: { files: { nodes: [] } },
    });
  });

  it('answers a syntax error as that operation’s error, not by closing the socket', async () => {
    const connection = connect({ authorization: `Bearer ${t.apiKey}` });
    expect(await refusal(connection.client, { query: '{ assistants {' })).toEqual([
      expect.objectContaining({ message: 'Syntax Error: Expected Name, found <EOF>.' }),
    ]);
    expect(
      await refusal(connection.client, { query: `{ ${'__typename '.repeat(10_000)}}` }),
    ).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'TOKEN_LIMIT_EXCEEDED' }),
      }),
    ]);
    const next = await execute(connection.client, { query: '{ __typename }' });
    expect(next).toEqual({ data: { __typename: 'Query' } });
    expect(await isOpen(connection)).toBe(true);
  });
});
