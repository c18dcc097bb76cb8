import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatEvent, type ChatRequest, ModelError } from '../../src/models/chat-model.js';
import {
  createModelRouter,
  loadModelRoutes,
  type ModelRoutingConfig,
  resolveModelRoute,
} from '../../src/models/model-router.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';

let alpha: FakeUpstream;
let beta: FakeUpstream;
let fallback: FakeUpstream;
let dir: string;

beforeAll(async () => {
  [alpha, beta, fallback] = await Promise.all([
    startFakeUpstream(),
    startFakeUpstream(),
    startFakeUpstream(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'model-routes-'));
});

afterAll(async () => {
  await Promise.all([alpha.close(), beta.close(), fallback.close()]);
  await rm(dir, { recursive: true, force: true });
});

function routing(): ModelRoutingConfig {
  return {
    default: { baseURL: fallback.url },
    routes: [
      { match: 'gpt-', prefix: true, baseURL: beta.url, apiKey: 'key-beta' },
      { match: 'gpt-4o', baseURL: alpha.url, apiKey: 'key-alpha', model: 'alpha-large' },
      { match: 'gpt-4', prefix: true, baseURL: alpha.url, apiKey: 'key-alpha' },
    ],
  };
}

function request(model: string): ChatRequest {
  return {
    model,
    messages: [{ role: 'user', content: 'Hi' }],
    signal: new AbortController().signal,
  };
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const collected: ChatEvent[] = [];
  for await (const event of events) {
    collected.push(event);
  }
  return collected;
}

/** Streams one request through the router and returns what the chosen upstream received. */
async function routeOnce(config: ModelRoutingConfig, model: string, to: FakeUpstream) {
  to.script({ text: 'routed' });
  const before = to.requests.length;
  const events = await collect(createModelRouter(config, { maxRetries: 0 }).stream(request(model)));
  expect(events[0]).toEqual({ type: 'text', delta: 'routed' });
  expect(to.requests).toHaveLength(before + 1);
  return to.requests[before];
}

describe('routing', () => {
  it('sends an exact match to its upstream under the upstream name, with its key', async () => {
    const sent = await routeOnce(routing(), 'gpt-4o', alpha);
    expect(sent?.body.model).toBe('alpha-large');
    expect(sent?.headers.authorization).toBe('Bearer key-alpha');
  });

  it('prefers the longest matching prefix and keeps the requested name', async () => {
    const sent = await routeOnce(routing(), 'gpt-4o-mini', alpha);
    expect(sent?.body.model).toBe('gpt-4o-mini');
    const shorter = await routeOnce(routing(), 'gpt-3.5-turbo', beta);
    expect(shorter?.headers.authorization).toBe('Bearer key-beta');
  });

  it('falls back to the default upstream with the requested name', async () => {
    const sent = await routeOnce(routing(), 'llama3.2', fallback);
    expect(sent?.body.model).toBe('llama3.2');
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it('fails with server_error naming the model and how to configure it when nothing matches', async () => {
    const router = createModelRouter({ routes: routing().routes });
    const error = await collect(router.stream(request('llama3.2'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'server_error' });
    expect((error as Error).message).toMatch(/'llama3\.2'.*LLM_BASE_URL.*MODEL_ROUTES_FILE/);
  });

  it('resolves exact over prefix, longest prefix, then default', () => {
    const config = routing();
    expect(resolveModelRoute(config, 'gpt-4o')).toBe(config.routes?.[1]);
    expect(resolveModelRoute(config, 'gpt-4-turbo')).toBe(config.routes?.[2]);
    expect(resolveModelRoute(config, 'gpt-')).toBe(config.routes?.[0]);
    expect(resolveModelRoute(config, 'mistral')).toBe(config.default);
    expect(resolveModelRoute({ routes: [] }, 'mistral')).toBeNull();
  });

  it('retries transient errors as many times as configured', async () => {
    const router = createModelRouter({ default: { baseURL: fallback.url } }, { maxRetries: 1 });
    const before = fallback.requests.length;
    fallback.script({ status: 502 }, { text: 'second try' });
    expect((await collect(router.stream(request('m'))))[0]).toEqual({
      type: 'text',
      delta: 'second try',
    });
    fallback.script({ status: 502 }, { status: 502 });
    const error = await collect(router.stream(request('m'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'server_error' });
    expect(fallback.requests.length - before).toBe(4);
  });
});

describe('context windows', () => {
  it('takes a route’s contextWindow, else the family of the upstream’s own name for the model', () => {
    const router = createModelRouter({
      default: { baseURL: fallback.url },
      routes: [
        { match: 'local-', prefix: true, baseURL: alpha.url, contextWindow: 32_768 },
        { match: 'house', baseURL: alpha.url, model: 'gpt-4o' },
      ],
    });
    expect(router.contextWindow('local-qwen')).toBe(32_768);
    expect(router.contextWindow('house')).toBe(128_000);
    expect(router.contextWindow('gpt-4.1')).toBe(1_047_576);
    expect(router.contextWindow('unheard-of')).toBe(8_192);
  });
});

describe('loadModelRoutes', () => {
  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  it('reads a valid file', async () => {
    const path = await file(
      'ok.json',
      JSON.stringify({
        default: { baseURL: 'http://localhost:11434/v1' },
        routes: [
          {
            match: 'o3',
            baseURL: 'https://api.openai.com/v1',
            apiKey: 'sk-x',
            maxTokensParameter: 'max_completion_tokens',
          },
        ],
      }),
    );
    expect(await loadModelRoutes(path)).toEqual({
      default: { baseURL: 'http://localhost:11434/v1' },
      routes: [
        {
          match: 'o3',
          baseURL: 'https://api.openai.com/v1',
          apiKey: 'sk-x',
          maxTokensParameter: 'max_completion_tokens',
        },
      ],
    });
    expect(await loadModelRoutes(await file('empty.json', '{}'))).toEqual({ routes: [] });
  });

  it('names the file when it cannot be read or is not JSON', async () => {
    const missing = join(dir, 'missing.json');
    await expect(loadModelRoutes(missing)).rejects.toThrow(
      `Cannot read the model routes file ${missing}`,
    );
    const broken = await file('broken.json', '{ "routes": [ }');
    await expect(loadModelRoutes(broken)).rejects.toThrow(
      `The model routes file ${broken} is not valid JSON`,
    );
  });

  it('names the file and each bad field', async () => {
    const path = await file(
      'bad.json',
      JSON.stringify({
        routes: [
          { match: 'a', baseURL: 'not a url' },
          { match: 'b', baseUrl: 'http://localhost:8000/v1' },
        ],
      }),
    );
    const error = await loadModelRoutes(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Invalid model routes file ${path}:`);
    expect(message).toContain('routes[0].baseURL: must be an http(s) URL');
    expect(message).toContain('routes[1].baseURL: must be an http(s) URL');
    expect(message).toContain('routes[1]: Unrecognized key: "baseUrl"');
  });

  it('refuses a contextWindow that is no whole number of at least 1,024 tokens', async () => {
    for (const contextWindow of [512, 4096.5, '8k']) {
      const path = await file(
        'window.json',
        JSON.stringify({
          routes: [{ match: 'a', baseURL: 'http://localhost:8000/v1', contextWindow }],
        }),
      );
      await expect(loadModelRoutes(path), String(contextWindow)).rejects.toThrow(
        'routes[0].contextWindow:',
      );
    }
  });
  it('refuses two routes for the same name', async () => {
    const route = { match: 'a', baseURL: 'http://localhost:8000/v1' };
    const path = await file('twice.json', JSON.stringify({ routes: [route, route] }));
    await expect(loadModelRoutes(path)).rejects.toThrow(
      "routes[1].match: 'a' is already routed by routes[0]",
    );
  });
});
