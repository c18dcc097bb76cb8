import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../setup/fake-upstream.js';
import { processDatabase, type Running, runProcess, waitForLog } from '../setup/processes.js';

const database = processDatabase();
const databaseUrl = database.url;

const started: Running[] = [];
afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await database.drop();
});

describe('the server and worker processes', () => {
  it('starts, creates and prints a first key once, serves it, and exits cleanly on SIGTERM', async () => {
    const server = runProcess('main.ts', ['--role=server'], {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    started.push(server);
    const listening = await waitForLog(server, (line) => line.msg === 'server listening');
    const port = Number(listening.port);
    const key = /\n {4}(sk-[A-Za-z0-9-]+)\n/.exec(server.stderr.join(''))?.[1];
    expect(key).toBeDefined();
    expect(server.stdout.join('')).not.toContain(key);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const client = new OpenAI({
      apiKey: key,
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    });
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    expect(assistant.id).toMatch(/^asst_/);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/v1/assistants`);
    expect(unauthenticated.status).toBe(401);

    const requestLog = await waitForLog(
      server,
      (line) => line.msg === 'request' && line.status === 401,
    );
    expect(requestLog.requestId).toMatch(/^req_/);

    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);

    // A second start finds the key and prints nothing new.
    const again = runProcess('main.ts', ['--role=server'], {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    started.push(again);
    await waitForLog(again, (line) => line.msg === 'server listening');
    expect(again.stderr.join('')).not.toMatch(/sk-/);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('runs the worker as its own process and stops it on SIGTERM', async () => {
    const worker = runProcess('main.ts', ['--role=worker'], { DATABASE_URL: databaseUrl });
    started.push(worker);
    await waitForLog(worker, (line) => line.msg === 'worker started');
    worker.child.kill('SIGTERM');
    const code = await worker.exit;
    expect(code, `${worker.stdout.join('')}\n${worker.stderr.join('')}`).toBe(0);
  });

  it('refuses a bad configuration at start, naming the variable', async () => {
    const badPort = runProcess('main.ts', [], { DATABASE_URL: databaseUrl, PORT: 'eighty' });
    expect(await badPort.exit).toBe(1);
    expect(badPort.stderr.join('')).toContain('PORT');

    const badUrl = runProcess('main.ts', [], { DATABASE_URL: 'mysql://nope' });
    expect(await badUrl.exit).toBe(1);
    expect(badUrl.stderr.join('')).toContain('DATABASE_URL');

    const shortKey = runProcess('main.ts', [], { DATABASE_URL: databaseUrl, API_KEYS: 'short' });
    expect(await shortKey.exit).toBe(1);
    expect(shortKey.stderr.join('')).toContain('API_KEYS');
  });

  it('creates projects and keys from the CLI, isolated from each other', async () => {
    const created = runProcess('cli.ts', ['project:create', 'Acme'], { DATABASE_URL: databaseUrl });
    expect(await created.exit).toBe(0);
    const output = created.stdout.join('');
    const projectId = /project (proj_\w+)/.exec(output)?.[1];
    const key = /key\s+(sk-[\w-]+)/.exec(output)?.[1];
    expect(projectId).toBeDefined();
    expect(key).toBeDefined();

    const server = runProcess('main.ts', ['--role=server'], {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    started.push(server);
    const port = Number((await waitForLog(server, (line) => line.msg === 'server listening')).port);
    const acme = new OpenAI({ apiKey: key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const list = await acme.beta.assistants.list();
    // The assistant created by the default project's key in the first test is not visible here.
    expect(list.data).toEqual([]);

    const second = runProcess('cli.ts', ['key:create', '--project', projectId ?? ''], {
      DATABASE_URL: databaseUrl,
    });
    expect(await second.exit).toBe(0);
    const secondKey = second.stdout.join('').trim();
    const again = new OpenAI({
      apiKey: secondKey,
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    });
    await again.beta.assistants.create({ model: 'm', name: 'acme' });
    expect((await acme.beta.assistants.list()).data.map((a) => a.name)).toEqual(['acme']);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight streaming run finish on SIGTERM, then exits 0', async () => {
    const upstream = await startFakeUpstream();
    try {
      const server = runProcess('main.ts', [], {
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        API_KEYS: 'sk-drain-test-key-0123456789',
        LLM_BASE_URL: upstream.url,
      });
      started.push(server);
      const port = Number(
        (await waitForLog(server, (line) => line.msg === 'server listening')).port,
      );
      const client = new OpenAI({
        apiKey: 'sk-drain-test-key-0123456789',
        baseURL: `http://127.0.0.1:${port}/v1`,
        maxRetries: 0,
      });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      const thread = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'go' }],
      });
      upstream.script({ text: ['one ', 'two ', 'three ', 'four'], delayMsBetweenChunks: 150 });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      await new Promise<void>((resolve) => stream.on('textDelta', () => resolve()));

      server.child.kill('SIGTERM');
      const run = await stream.finalRun();
      expect(run.status).toBe('completed');
      const [message] = await stream.finalMessages();
      expect(message?.content[0]).toMatchObject({ text: { value: 'one two three four' } });
      const code = await server.exit;
      expect(code, server.stderr.join('')).toBe(0);
    } finally {
      await upstream.close();
    }
  });
});
