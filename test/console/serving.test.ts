// The console is served by the API server itself: its files with their types and caching, the
// SPA fallback for its routes, and nothing of /v1, /graphql or /healthz shadowed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../src/http/console-assets.js';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (started) => {
  t = started;
});

async function get(url: string, init?: RequestInit) {
  const response = await fetch(`${t.baseUrl}${url}`, init);
  return { response, body: await response.text() };
}

describe('the console at /', () => {
  it('serves index.html, revalidated, with a policy that loads nothing from elsewhere', async () => {
    const { response, body } = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(body).toContain('<div id="root"></div>');
    // Only this server's own files: no CDN, no absolute URLs.
    expect(body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('answers its own routes with index.html, so a reload of /threads/thread_… works', async () => {
    const index = await get('/');
    for (const route of ['/threads/thread_abc123', '/assistants', '/files', '/threads/', '/']) {
      const { response, body } = await get(route);
      expect([route, response.status, body]).toEqual([route, 200, index.body]);
    }
  });

  it('serves hashed assets with their types, cached for good, and HEAD without a body', async () => {
    const index = await get('/');
    const assets = [...index.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((asset) => asset?.endsWith('.js'))).toBe(true);
    expect(assets.some((asset) => asset?.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const { response, body } = await get(asset ?? '');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        asset?.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(body));
      const head = await get(asset ?? '', { method: 'HEAD' });
      expect(head.response.status).toBe(200);
      expect(head.body).toBe('');
    }
  });

  it('keeps the initial JavaScript within 250 KB gzipped', async () => {
    const index = await readFile(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
    const scripts = [...index.matchAll(/<script[^>]+src="\/(assets\/[^"]+\.js)"/g)].map(
      (match) => match[1] ?? '',
    );
    const preloads = [...index.matchAll(/<link rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map(
      (match) => match[1] ?? '',
    );
    let gzipped = 0;
    for (const file of [...scripts, ...preloads]) {
      gzipped += gzipSync(await readFile(path.join(CONSOLE_DIST, file))).length;
    }
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeGreaterThan(10_000);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });

  it('answers a missing file with 404 and refuses paths that climb out of the build', async () => {
    expect((await get('/assets/missing-abc.js')).response.status).toBe(404);
    expect((await get('/favicon.ico')).response.status).toBe(404);
    // Only the console's routes fall back to index.html.
    expect((await get('/nothing')).response.status).toBe(404);
    expect((await get('/threads/thread_1/extra')).response.status).toBe(404);
    for (const target of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const { response, body } = await get(target);
      expect(body).not.toContain('"name": "assistants-server"');
      expect([200, 404]).toContain(response.status);
    }
    expect((await get('/%E0%A4%A')).response.status).toBe(400);
  });

  it('leaves /v1, /graphql and /healthz to the API', async () => {
    const rest = await get('/v1/assistants');
    expect(rest.response.status).toBe(401);
    expect(JSON.parse(rest.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
    const graphiql = await get('/graphql', { headers: { accept: 'text/html' } });
    expect(graphiql.response.status).toBe(200);
    expect(graphiql.body).toContain('GraphiQL');
    // GraphiQL's own page, not the console's index.html (both mount on a `#root` div).
    expect(graphiql.body).not.toContain('<title>Assistants console</title>');
    const health = await get('/healthz');
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    const listed = await t.openai.beta.assistants.list();
    expect(listed.data).toEqual([]);
    // Other methods than GET and HEAD are not the console's.
    expect((await get('/threads', { method: 'POST' })).response.status).toBe(404);
  });
});
