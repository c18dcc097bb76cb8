import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../setup/app.js';
import { scriptedRun, uploadFile } from '../../../setup/factories.js';
import { type FakeUpstream, startFakeUpstream } from '../../../setup/fake-upstream.js';
import { eventSchema, expectSpec } from '../../../setup/openapi.js';

let t: TestApp;
let upstream: FakeUpstream;
let workDir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  workDir = await mkdtemp(path.join(tmpdir(), 'sandbox-sessions-'));
  process.env.SERVER_SECRET_FOR_TEST = 'do-not-leak-4711';
  t = await startTestApp({
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    SANDBOX_WORK_DIR: workDir,
    SANDBOX_TIMEOUT_MS: '5000',
  });
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  await rm(workDir, { recursive: true, force: true });
});

const CSV = 'region,amount\nnorth,12\nsouth,30\n';

const ANALYSIS = [
  'import pandas as pd',
  'import matplotlib',
  'import matplotlib.pyplot as plt',
  "df = pd.read_csv('sales.csv')",
  "total = int(df['amount'].sum())",
  "print('total', total)",
  "df.assign(share=df['amount'] / total).to_csv('shares.csv', index=False)",
  "df.plot.bar(x='region', y='amount')",
  "plt.savefig('chart.png')",
].join('\n');

async function analyst(fileIds: string[] = []) {
  const assistant = await t.openai.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'code_interpreter' }],
    tool_resources: { code_interpreter: { file_ids: fileIds } },
  });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'Total the sales and chart them.' }],
  });
  return { assistant, thread };
}

/** The code_interpreter calls of a finished run, as REST shows them. */
async function codeCalls(threadId: string, runId: string, app: TestApp = t) {
  const steps = await app.openai.beta.threads.runs.steps.list(runId, {
    thread_id: threadId,
    order: 'asc',
  });
  return steps.data.flatMap((step) => {
    expectSpec('RunStepObject', step);
    return step.step_details.type === 'tool_calls'
      ? step.step_details.tool_calls.flatMap((call) =>
          call.type === 'code_interpreter' ? [call.code_interpreter] : [],
        )
      : [];
  });
}

/** A PNG signature followed by its IHDR chunk. */
function expectPng(bytes: Buffer): void {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
}

const FORK_BOMB =
  'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass';
const MEMORY_HOG = 'hog = bytearray(4 * 1024 ** 3)';
const HUGE_OUTPUT = "while True:\n    print('x' * 10000)";

function logsOf(call: { outputs: { type: string }[] } | undefined): string {
  return (call?.outputs ?? [])
    .map((output) => ('logs' in output && typeof output.logs === 'string' ? output.logs : ''))
    .join('');
}

describe('code_interpreter in runs', () => {
  it('runs the model’s code on the assistant’s files, streams input and outputs, and links what it wrote', async () => {
    const input = await uploadFile(t, 'sales.csv', CSV);
    const { assistant, thread } = await analyst([input.id]);
    upstream.script(
      {
        toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code: ANALYSIS }) }],
        // Slower than the output flush, so the input reaches the client in several deltas.
        delayMsBetweenChunks: 25,
      },
      {
        text: [
          'The total is 42. ',
          '[Download the shares](sandbox:/mnt/data/shares.csv)',
          ' and the [chart](sandbox:/mnt/data/chart.png).',
        ],
      },
    );
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    let input_ = '';
    let inputDeltas = 0;
    const outputs: unknown[] = [];
    let completedMessage: unknown = null;
    stream.on('event', ({ event, data }) => expectSpec(eventSchema(event), data));
    // The SDK reports a call's first delta as its creation, the rest as deltas.
    stream.on('toolCallCreated', (call) => {
      if (call.type === 'code_interpreter') {
        input_ += call.code_interpreter.input;
      }
    });
    stream.on('toolCallDelta', (delta) => {
      if (delta.type === 'code_interpreter') {
        inputDeltas += delta.code_interpreter?.input ? 1 : 0;
        input_ += delta.code_interpreter?.input ?? '';
        outputs.push(...(delta.code_interpreter?.outputs ?? []));
      }
    });
    stream.on('messageDone', (message) => {
      completedMessage = message;
    });
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');

    // The input streamed as it was decoded from the arguments, piece by piece.
    expect(input_).toBe(ANALYSIS);
    expect(inputDeltas).toBeGreaterThan(1);
    expect(outputs).toContainEqual(expect.objectContaining({ type: 'logs', logs: 'total 42\n' }));

    const [call] = await codeCalls(thread.id, run.id);
    expect(call?.input).toBe(ANALYSIS);
    expect(logsOf(call)).toBe('total 42\n');
    const image = call?.outputs.find((output) => output.type === 'image');
    const imageId = image?.type === 'image' ? image.image.file_id : '';
    expect(imageId).toMatch(/^file-/);

    // The figure left open is shown as an image: a real PNG, made by the assistant.
    const figure = await t.openai.files.retrieve(imageId);
    expect(figure).toMatchObject({ purpose: 'assistants_output', filename: 'figure-1.png' });
    expectPng(Buffer.from(await (await t.openai.files.content(imageId)).arrayBuffer()));

    // The message shows the figure first; its links became file_path annotations.
    const message = completedMessage as {
      id: string;
      content: (
        | { type: 'image_file'; image_file: { file_id: string } }
        | {
            type: 'text';
            text: {
              value: string;
              annotations: {
                type: string;
                text: string;
                start_index: number;
                end_index: number;
                file_path?: { file_id: string };
              }[];
            };
          }
      )[];
    };
    expect(message.content[0]).toEqual({
      type: 'image_file',
      image_file: { file_id: imageId, detail: 'auto' },
    });
    const text = message.content[1];
    const value = text?.type === 'text' ? text.text.value : '';
    const annotations = text?.type === 'text' ? text.text.annotations : [];
    expect(annotations.map((annotation) => annotation.text)).toEqual([
      'sandbox:/mnt/data/shares.csv',
      'sandbox:/mnt/data/chart.png',
    ]);
    for (const annotation of annotations) {
      expect(annotation.type).toBe('file_path');
      expect(value.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
    }
    const [sharesLink, chartLink] = annotations;
    const shares = await t.openai.files.content(sharesLink?.file_path?.file_id ?? '');
    expect(await shares.text()).toBe(
      'region,amount,share\nnorth,12,0.2857142857142857\nsouth,30,0.7142857142857143\n',
    );
    const chartId = chartLink?.file_path?.file_id ?? '';
    expect(await t.openai.files.retrieve(chartId)).toMatchObject({
      purpose: 'assistants_output',
      filename: 'chart.png',
    });
    expectPng(Buffer.from(await (await t.openai.files.content(chartId)).arrayBuffer()));
    const stored = await t.openai.beta.threads.messages.retrieve(message.id, {
      thread_id: thread.id,
    });
    expect(stored).toEqual(completedMessage);

    // The model was told what the code printed and which files it saved.
    const toolMessage = upstream.requests.at(-1)?.body.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('total 42');
    expect(String(toolMessage?.content)).toContain('sandbox:/mnt/data/shares.csv');

    // The run ended: its sandbox session is gone.
    expect(await readdir(workDir)).not.toContain(run.id);
  });

  it('streams a figure and the answer’s text as one content part per message delta', async () => {
    const { assistant, thread } = await analyst();
    upstream.script(
      {
        toolCalls: [
          {
            name: 'code_interpreter',
            arguments: '{"code":"import matplotlib.pyplot as plt\\nplt.plot([1, 2])"}',
          },
        ],
      },
      { text: 'Here is ' },
    );
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const parts: { index: number; type: string }[][] = [];
    let text = '';
    stream.on('messageDelta', (delta) => {
      parts.push((delta.content ?? []).map(({ index, type }) => ({ index, type })));
      // What LibreChat and the AI SDK read: the first part of each delta only.
      const [first] = delta.content ?? [];
      text += first?.type === 'text' ? (first.text?.value ?? '') : '';
    });
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(parts).toEqual([[{ index: 0, type: 'image_file' }], [{ index: 1, type: 'text' }]]);
    expect(text).toBe('Here is ');
  });

  it('keeps variables between the calls of one run', async () => {
    const { assistant, thread } = await analyst();
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: '{"code":"x = 41"}' }] },
      { toolCalls: [{ name: 'code_interpreter', arguments: '{"code":"print(x + 1)"}' }] },
      { text: '42' },
    );
    expect(run.status).toBe('completed');
    const calls = await codeCalls(thread.id, run.id);
    expect(calls.map((call) => call?.input)).toEqual(['x = 41', 'print(x + 1)']);
    expect(logsOf(calls[1])).toBe('42\n');
  });

  it('reports escape attempts and runaway code in the step, and the run still completes', async () => {
    const { assistant, thread } = await analyst();
    const probe = [
      'import os, socket',
      "print('secret', os.environ.get('SERVER_SECRET_FOR_TEST'))",
      "print('server files', os.path.exists('/work/main/package.json'))",
      'try:',
      "    socket.create_connection(('127.0.0.1', 5432), timeout=2)",
      "    print('connected')",
      'except OSError as error:',
      "    print('no network')",
    ].join('\n');
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code: probe }) }] },
      { toolCalls: [{ name: 'code_interpreter', arguments: '{"code":"while True:\\n    pass"}' }] },
      ...[FORK_BOMB, MEMORY_HOG, HUGE_OUTPUT].map((code) => ({
        toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
      })),
      { text: 'Done.' },
    );
    expect(run.status).toBe('completed');
    const [probeCall, loopCall, forkCall, memoryCall, outputCall] = await codeCalls(
      thread.id,
      run.id,
    );
    expect(logsOf(probeCall)).toBe('secret None\nserver files False\nno network\n');
    expect(logsOf(loopCall)).toMatch(/\[sandbox\].*(time|CPU)/i);
    expect(logsOf(forkCall)).toMatch(/\[sandbox\] .*(processes|time limit)/);
    expect(logsOf(memoryCall)).toContain('MemoryError');
    expect(logsOf(outputCall)).toContain('[sandbox] Execution stopped: the output exceeded');
    expect(logsOf(outputCall).length).toBeLessThan(25_000);
  });

  it('tells the model when its arguments are not JSON with code, running nothing', async () => {
    const { assistant, thread } = await analyst();
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: 'print(1)' }] },
      { text: 'Sorry.' },
    );
    expect(run.status).toBe('completed');
    const [call] = await codeCalls(thread.id, run.id);
    expect(logsOf(call)).toContain('nothing was run');
  });

  it('shows the call over GraphQL', async () => {
    const { assistant, thread } = await analyst();
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: '{"code":"print(6 * 7)"}' }] },
      { text: '42' },
    );
    const response = await t.graphql<{
      runSteps: {
        nodes: {
          stepDetails: {
            toolCalls:
              | {
                  type: string;
                  codeInterpreter: { input: string; outputs: { type: string; logs: string }[] };
                }[]
              | null;
          };
        }[];
      };
    }>(
      `query ($threadId: ID!, $runId: ID!) {
        runSteps(threadId: $threadId, runId: $runId, order: asc) {
          nodes { stepDetails { toolCalls { type codeInterpreter { input outputs { type logs } } } } }
        }
      }`,
      { threadId: thread.id, runId: run.id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.runSteps.nodes[0]?.stepDetails.toolCalls).toEqual([
      {
        type: 'code_interpreter',
        codeInterpreter: { input: 'print(6 * 7)', outputs: [{ type: 'logs', logs: '42\n' }] },
      },
    ]);
  });
});

/**
 * Runs `print(1)` as the model's code on an app of its own (`env`), with `inputFile` as the
 * assistant's file when given; the run must complete. Returns the call's logs.
 */
async function printOneElsewhere(env: Record<string, string>, inputFile?: Buffer): Promise<string> {
  const app = await startTestApp({ LLM_BASE_URL: upstream.url, LLM_MAX_RETRIES: '0', ...env });
  try {
    const fileIds = inputFile
      ? [
          (
            await app.openai.files.create({
              file: await toFile(inputFile, 'input.txt'),
              purpose: 'assistants',
            })
          ).id,
        ]
      : [];
    const assistant = await app.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
      tool_resources: { code_interpreter: { file_ids: fileIds } },
    });
    const thread = await app.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Run it.' }],
    });
    const run = await scriptedRun(
      app,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: '{"code":"print(1)"}' }] },
      { text: 'ok' },
    );
    expect(run.status).toBe('completed');
    const [call] = await codeCalls(thread.id, run.id, app);
    return logsOf(call);
  } finally {
    await app.close();
  }
}

describe('code_interpreter without a working sandbox', () => {
  it('reports the tool unavailable in the step and never runs the code', async () => {
    expect(await printOneElsewhere({ SANDBOX_BWRAP: '/nonexistent/bwrap' })).toMatch(
      /^code_interpreter is unavailable on this server \(.+\); the code was not run\.$/,
    );
  });

  it('reports files too big for the sandbox in the step, not as a failed run', async () => {
    expect(
      await printOneElsewhere({ SANDBOX_FILES_MB: '1' }, Buffer.alloc(2 * 1024 * 1024, 'x')),
    ).toMatch(/^The sandbox could not run the code: /);
  });
});
