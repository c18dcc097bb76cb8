import { describe, expect, it } from 'vitest';
import { boundedLabel } from '../../src/observability/bounded-label.js';
import { routeTemplate } from '../../src/observability/route-template.js';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Every sample line of a scrape as { name, labels, value }. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) {
        throw new Error(`not a sample line: ${line}`);
      }
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1] ?? ''] = pair[2] ?? '';
      }
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

describe('GET /metrics', () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  useAppWithUpstream({ env: { METRICS_TOKEN } }, (app) => {
    ({ t, upstream } = app);
  });
  {
    const scrape = async () => {
      const response = await fetch(`${t.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return samples(await response.text());
    };

    it('is never served anonymously, with a project key or with a wrong token', async () => {
      expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
      const other = await t.createOtherProject();
      const withKey = await fetch(`${t.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${other.apiKey}` },
      });
      expect(withKey.status).toBe(401);
      const almost = await fetch(`${t.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` },
      });
      expect(almost.status).toBe(401);
      expect(almost.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('counts a completed run, its queue time, its upstream call and its tokens', async () => {
      const assistant = await t.openai.beta.assistants.create({ model: 'metrics-model' });
      upstream.script({ text: 'fine', usage: { prompt_tokens: 11, completion_tokens: 3 } });
      const run = await t.openai.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(run.status).toBe('completed');
      upstream.script({ status: 500, error: { message: 'upstream broke' } });
      const failed = await t.openai.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'again' }] },
      });
      expect(failed.status).toBe('failed');

      // pg-boss writes a job's completion after its handler returns, so the run can be ended
      // before its job is counted completed: scrape until both jobs are (bounded).
      let all = await scrape();
      const jobsCompleted = () =>
        all
          .filter(
            (sample) =>
              sample.name === 'assistants_jobs' &&
              sample.labels.queue === 'execute-run' &&
              sample.labels.state === 'completed',
          )
          .reduce((sum, sample) => sum + sample.value, 0);
      for (let tries = 0; jobsCompleted() < 2 && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        all = await scrape();
      }
      const value = (name: string, labels: Record<string, string> = {}) =>
        all
          .filter(
            (sample) =>
              sample.name === name &&
              Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
          )
          .reduce((sum, sample) => sum + sample.value, 0);
      expect(value('assistants_runs_total', { status: 'completed' })).toBeGreaterThanOrEqual(1);
      expect(value('assistants_runs_total', { status: 'failed' })).toBeGreaterThanOrEqual(1);
      expect(value('assistants_run_duration_seconds_count', { status: 'completed' })).toBe(
        value('assistants_runs_total', { status: 'completed' }),
      );
      expect(value('assistants_run_queue_seconds_count')).toBeGreaterThanOrEqual(2);
      const model = { gen_ai_request_model: 'metrics-model' };
      expect(value('assistants_time_to_first_token_seconds_count', model)).toBeGreaterThanOrEqual(
        1,
      );
      expect(
        value('gen_ai_client_operation_duration_seconds_count', { ...model, error_type: '' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value('gen_ai_client_token_usage_sum', { ...model, gen_ai_token_type: 'input' }),
      ).toBeGreaterThanOrEqual(11);
      expect(
        value('gen_ai_client_token_usage_sum', { ...model, gen_ai_token_type: 'output' }),
      ).toBeGreaterThanOrEqual(3);
      expect(
        value('assistants_upstream_errors_total', { ...model, error_type: 'server_error' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value('assistants_jobs', { queue: 'execute-run', state: 'completed' }),
      ).toBeGreaterThanOrEqual(2);
      for (const pool of ['prisma', 'pgboss']) {
        expect(
          all.some(
            (sample) =>
              sample.name === 'db_client_connection_count' &&
              sample.labels.db_client_connection_pool_name === pool,
          ),
        ).toBe(true);
      }
      expect(all.some((sample) => sample.name === 'assistants_active_streams')).toBe(true);
      expect(
        value('http_server_request_duration_seconds_count', {
          http_request_method: 'POST',
          http_route: '/v1/threads/runs',
          http_response_status_code: '200',
        }),
      ).toBeGreaterThanOrEqual(2);
    });

    it('keeps labels bounded: no id, key or client text, however many distinct ones are used', async () => {
      const before = (await scrape()).filter(
        (sample) => sample.name === 'http_server_request_duration_seconds_count',
      ).length;
      const used: string[] = [t.apiKey];
      for (let i = 0; i < 40; i += 1) {
        const thread = await t.openai.beta.threads.create({ metadata: { note: `text ${i}` } });
        used.push(thread.id);
        await t.openai.beta.threads.retrieve(thread.id);
        const missing = `asst_missing${i}`;
        used.push(missing);
        await t.rest(`/assistants/${missing}`);
        const odd = `made-up-${i}`;
        used.push(odd);
        await t.rest(`/${odd}/${odd}`);
        await fetch(`${t.baseUrl}/nowhere-${i}?q=${odd}`);
        await t.rest(`/threads/${thread.id}/runs/run_nope${i}/steps`);
      }
      const after = await scrape();
      const series = after.filter(
        (sample) => sample.name === 'http_server_request_duration_seconds_count',
      );
      // 200 distinct URLs, a handful of route templates and statuses.
      expect(series.length - before).toBeLessThan(10);
      const routes = new Set(series.map((sample) => sample.labels.http_route));
      expect([...routes].sort()).toEqual(
        expect.arrayContaining([
          '/v1/assistants/{assistant_id}',
          '/v1/threads/{thread_id}',
          '/v1/threads/{thread_id}/runs/{run_id}/steps',
          'other',
        ]),
      );
      const labelValues = after.flatMap((sample) => Object.values(sample.labels));
      for (const secret of used) {
        expect(labelValues.some((value) => value.includes(secret))).toBe(false);
      }
      for (const value of labelValues) {
        expect(value).not.toMatch(/(asst|thread|run|msg|step|file|vs)_[A-Za-z0-9]{6,}|sk-/);
      }
    });
  }
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  useAppWithUpstream({}, (app) => {
    ({ t } = app);
  });
  it('is read with an admin key only', async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    const other = await t.createOtherProject();
    const project = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(project.status).toBe(401);
    // The test app's own key is seeded by API_KEYS: an admin key.
    const admin = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('http_server_request_duration_seconds');
  });
});

describe('label values', () => {
  it('templates our routes and collapses everything else', () => {
    expect(routeTemplate('/v1/threads/thread_abc/runs')).toBe('/v1/threads/{thread_id}/runs');
    expect(routeTemplate('/v1/threads/runs')).toBe('/v1/threads/runs');
    expect(routeTemplate('/v1/threads/thread_a/runs/run_b/submit_tool_outputs')).toBe(
      '/v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs',
    );
    expect(routeTemplate('/v1/vector_stores/vs_a/file_batches/vsfb_b/files')).toBe(
      '/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/files',
    );
    expect(routeTemplate('/v1/files/file-abc/content')).toBe('/v1/files/{file_id}/content');
    expect(routeTemplate('/v1/anything/else')).toBe('other');
    expect(routeTemplate('/v1/threads/a/b/c')).toBe('other');
    expect(routeTemplate(`/v1${'/threads/x'.repeat(10)}`)).toBe('other');
    expect(routeTemplate('/graphql')).toBe('/graphql');
    expect(routeTemplate('/secret-path')).toBe('other');
  });

  it('keeps the first model names and folds the rest, and odd text, into other', () => {
    const label = boundedLabel(3);
    expect(['a', 'b', 'c', 'd', 'a'].map(label)).toEqual(['a', 'b', 'c', 'other', 'a']);
    expect(label('x'.repeat(65))).toBe('other');
    expect(boundedLabel(3)('my model; drop table')).toBe('other');
  });
});
