import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import {
  phase,
  processDatabase,
  type Running,
  runProcess,
  waitForLog,
} from '../setup/processes.js';
import { inOneRateWindow, rateLimitHeaders } from '../setup/rate-window.js';

const database = processDatabase();
const adminKey = 'sk-rate-limit-process-admin-0123456789';
const servers: Running[] = [];
const baseUrls: string[] = [];

async function startServer(): Promise<Running> {
  const server = runProcess('main.ts', ['--role=server'], {
    DATABASE_URL: database.url,
    API_KEYS: adminKey,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  servers.push(server);
  const listening = await waitForLog(server, (line) => line.msg === 'server listening');
  baseUrls.push(`http://127.0.0.1:${String(listening.port)}/v1`);
  return server;
}

beforeAll(async () => {
  // One after the other: the first applies the migrations.
  await startServer();
  await startServer();
}, 90_000);

afterAll(async () => {
  for (const running of servers) {
    running.child.kill('SIGKILL');
  }
  await Promise.all(servers.map((running) => running.exit));
  await database.drop();
});

describe('a rate limit across two server processes', () => {
  it('lets 2 requests a minute through between them and refuses the third with a 429', {
    timeout: 120_000,
  }, async () => {
    const [first = '', second = ''] = baseUrls;
    const admin = new OpenAI({ adminAPIKey: adminKey, baseURL: first, maxRetries: 0 });
    const project = await admin.admin.organization.projects.create({ name: 'limited' });
    const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
      name: 'app',
    });
    const key = account.api_key?.value ?? '';
    await admin.admin.organization.projects.rateLimits.updateRateLimit('rl-*', {
      project_id: project.id,
      max_requests_per_1_minute: 2,
    });
    const [a, b] = [first, second].map(
      (baseURL) => new OpenAI({ apiKey: key, baseURL, maxRetries: 0 }),
    );
    if (!a || !b) {
      throw new Error('two servers expected');
    }
    const assistant = await a.beta.assistants.create({ model: 'gpt-4o' });
    const start = () => ({ assistant_id: assistant.id });
    const processes = { first: servers[0] as Running, second: servers[1] as Running };
    await inOneRateWindow(30);
    // No worker runs: the runs stay queued, and only admission is under test.
    const admitted = await phase(
      'two admitted, one on each server',
      20_000,
      Promise.all([
        a.beta.threads.createAndRun(start()).withResponse(),
        b.beta.threads.createAndRun(start()).withResponse(),
      ]),
      processes,
    );
    const remaining = admitted
      .map(({ response }) => rateLimitHeaders(response.headers)['x-ratelimit-remaining-requests'])
      .sort();
    expect(remaining).toEqual(['0', '1']);
    for (const client of [a, b]) {
      const error = await apiError(client.beta.threads.createAndRun(start()));
      expect(error.status).toBe(429);
      expect(error.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
      const headers = rateLimitHeaders(error.headers);
      expect(headers).toMatchObject({
        'x-ratelimit-limit-requests': '2',
        'x-ratelimit-remaining-requests': '0',
      });
      expect(headers['x-ratelimit-reset-requests']).toMatch(/^\d+(\.\d+)?s$/);
      expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });
});
