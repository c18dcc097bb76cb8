import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../setup/app.js';
import { scriptedRun } from '../../../setup/factories.js';
import { type FakeUpstream, startFakeUpstream } from '../../../setup/fake-upstream.js';

let t: TestApp;
let upstream: FakeUpstream;
let workDir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  workDir = await mkdtemp(path.join(tmpdir(), 'sandbox-exports-'));
  t = await startTestApp({
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    SANDBOX_WORK_DIR: workDir,
    SANDBOX_TIMEOUT_MS: '10000',
    SANDBOX_EXPORT_FILES: '3',
    SANDBOX_EXPORT_MB: '1',
    SANDBOX_RUN_EXPORT_FILES: '4',
    SANDBOX_RUN_EXPORT_MB: '2',
  });
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  await rm(workDir, { recursive: true, force: true });
});

function codeCall(code: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code }) }] };
}

/** Runs each cell as one code_interpreter call of one run; returns each call's logs, in order. */
async function runCells(...cells: string[]): Promise<string[]> {
  const assistant = await t.openai.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'code_interpreter' }],
  });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Write files.' }],
  });
  const run = await scriptedRun(
    t,
    upstream,
    { threadId: thread.id, assistantId: assistant.id },
    ...cells.map(codeCall),
    { text: 'Done.' },
  );
  expect(run.status).toBe('completed');
  const steps = await t.openai.beta.threads.runs.steps.list(run.id, {
    thread_id: thread.id,
    order: 'asc',
  });
  return steps.data.flatMap((step) =>
    step.step_details.type === 'tool_calls'
      ? step.step_details.tool_calls.flatMap((call) =>
          call.type === 'code_interpreter'
            ? [
                call.code_interpreter.outputs
                  .map((output) => (output.type === 'logs' ? output.logs : ''))
                  .join(''),
              ]
            : [],
        )
      : [],
  );
}

async function exportedNames(): Promise<string[]> {
  const files = await t.openai.files.list({ purpose: 'assistants_output' });
  return files.data.map((file) => file.filename).sort();
}

describe('the export quota of code_interpreter', () => {
  it('exports at most the files and bytes of a call, and names the rest in the step’s logs', async () => {
    const before = await exportedNames();
    const [logs] = await runCells(
      [
        "open('big.bin', 'wb').write(b'x' * 1_500_000)",
        "for name in 'abcde':\n    open(name + '.txt', 'w').write(name * 100)",
        "print('written')",
      ].join('\n'),
    );
    // In name order: a, b, c fit; big.bin is over the call's 1 MB; d and e over its 3 files.
    expect(await exportedNames()).toEqual([...before, 'a.txt', 'b.txt', 'c.txt'].sort());
    expect(logs).toBe(
      'written\n' +
        '[sandbox] 3 outputs (1.4 MB) not exported as files: /mnt/data/big.bin, /mnt/data/d.txt, ' +
        '/mnt/data/e.txt. Exports are limited to 3 files and 1.0 MB per call, 4 files and 2.0 MB ' +
        'per run (this run had exported 0 files, 0.0 MB). Files stay in /mnt/data for later calls.\n',
    );
  });

  it('counts a run’s earlier calls against its own limit', async () => {
    const before = await exportedNames();
    const [first, second, third] = await runCells(
      "for name in ['one', 'two', 'three']:\n    open(name + '.csv', 'w').write(name)",
      "for name in ['four', 'five']:\n    open(name + '.csv', 'w').write(name)",
      // Every file is still in /mnt/data for the code, exported or not.
      "import os\nprint(sorted(os.listdir('.')))",
    );
    expect(first).toBe('');
    expect(second).toMatch(
      /^\[sandbox\] 1 output \(0\.0 MB\) not exported as files: \/mnt\/data\/four\.csv\. .*\(this run had exported 3 files, 0\.0 MB\)/,
    );
    expect(third).toBe("['five.csv', 'four.csv', 'one.csv', 'three.csv', 'two.csv']\n");
    expect(await exportedNames()).toEqual(
      [...before, 'one.csv', 'three.csv', 'two.csv', 'five.csv'].sort(),
    );
  });

  it('says when more files changed than the sandbox keeps, instead of dropping them without a word', async () => {
    const [logs] = await runCells(
      "import os\nos.mkdir('many')\nfor i in range(1005):\n    open(f'many/{i:04}.txt', 'w').write('x')",
    );
    expect(logs).toContain(
      '[sandbox] More than 1000 files changed in /mnt/data; the other 5 were not kept.\n',
    );
    expect(logs).toContain(
      '[sandbox] 997 outputs (0.0 MB) not exported as files: /mnt/data/many/0003.txt',
    );
  }, 60_000);
});
