import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServiceContext } from '../../../../context.js';
import { NotFoundError } from '../../../../errors.js';
import type { Run } from '../../../../generated/prisma/client.js';
import {
  type CodeSandbox,
  SandboxError,
  type SandboxInputFile,
  type SandboxResult,
  SandboxUnavailableError,
} from '../../../../sandbox/code-sandbox.js';
import type { ExportQuota } from '../../../../sandbox/sandbox-config.js';
import { createSandboxSession, removeSandboxSession } from '../../../../sandbox/sessions.js';
import { createFileFromBytes, openFileContent } from '../../../files/files.js';
import { recordCodeInterpreterSession } from '../../../metering/code-interpreter-sessions.js';
import type { CodeInterpreterOutput, CodeInterpreterToolCall } from '../../run-step-details.js';
import { exportedByRun, selectExports } from './code-interpreter-exports.js';
import { codeInterpreterFileIds } from './code-interpreter-files.js';
import { stringArgument } from './partial-json.js';
import type { PendingBuiltinCall } from './runner.js';

/** What the tool needs of its run: where its files and session are, and whose usage it is. */
type RunRef = Pick<Run, 'id' | 'assistantId' | 'threadId' | 'apiKeyId'>;

export interface CodeInterpreterDeps {
  sandbox: CodeSandbox;
  /** Parent of the per-run session directories. */
  workDir: string;
  /** How much of what code writes is kept as Files. */
  exportQuota: ExportQuota;
}

const SANDBOX_ROOT = '/mnt/data';

async function exists(dir: string): Promise<boolean> {
  return stat(dir).then(
    () => true,
    () => false,
  );
}

/**
 * The run's code_interpreter files (assistant, thread, message attachments), copied to a
 * scratch directory (never held whole in memory) for the sandbox to place in `/mnt/data`.
 */
async function inputFiles(
  ctx: ServiceContext,
  run: RunRef,
  scratch: string,
): Promise<SandboxInputFile[]> {
  const files: SandboxInputFile[] = [];
  for (const id of await codeInterpreterFileIds(ctx, run)) {
    const opened = await openFileContent(ctx, id).catch((error: unknown) => {
      if (error instanceof NotFoundError) {
        // Deleted since it was attached: the code simply does not find it.
        return null;
      }
      throw error;
    });
    if (!opened) {
      continue;
    }
    const copy = path.join(scratch, id);
    await pipeline(opened.stream, createWriteStream(copy));
    files.push({ id, name: opened.file.filename, path: copy });
  }
  return files;
}

function result(
  call: PendingBuiltinCall,
  input: string,
  outputs: CodeInterpreterOutput[],
  files: CodeInterpreterToolCall['files'] = [],
): CodeInterpreterToolCall {
  return {
    id: call.id,
    type: 'code_interpreter',
    codeInterpreter: { input, outputs },
    files,
    modelArguments: call.arguments,
  };
}

/**
 * Stores what the code produced as Files (`assistants_output`), within the export quota. As in
 * OpenAI's notebook, figures the code displayed (or left open) are `image` outputs, shown in the
 * next message; files it wrote are Files the answer links to (`file_path`), images among them
 * too. What the quota leaves out is named at the end of the logs, so the model can say so.
 */
async function storeOutputs(
  ctx: ServiceContext,
  quota: ExportQuota,
  runId: string,
  execution: SandboxResult,
): Promise<{ outputs: CodeInterpreterOutput[]; files: CodeInterpreterToolCall['files'] }> {
  const candidates = [
    ...execution.images.map((image, index) => ({
      label: `figure ${index + 1}`,
      bytes: image.bytes,
      store: () =>
        createFileFromBytes(ctx, {
          filename: `figure-${index + 1}.png`,
          purpose: 'assistants_output',
          mimeType: 'image/png',
          stream: createReadStream(image.path),
        }),
      figure: true,
      name: '',
    })),
    ...execution.outputFiles.map((written) => ({
      label: `${SANDBOX_ROOT}/${written.name}`,
      bytes: written.bytes,
      store: () =>
        createFileFromBytes(ctx, {
          filename: path.posix.basename(written.name),
          purpose: 'assistants_output',
          stream: createReadStream(written.path),
        }),
      figure: false,
      name: written.name,
    })),
  ];
  const before = candidates.length > 0 ? await exportedByRun(ctx, runId) : { files: 0, bytes: 0 };
  const { kept, note } = selectExports(candidates, quota, before);
  const logs = note === null ? execution.logs : joinLines(execution.logs, note);
  const outputs: CodeInterpreterOutput[] = logs === '' ? [] : [{ type: 'logs', logs }];
  const files: CodeInterpreterToolCall['files'] = [];
  for (const candidate of kept) {
    const file = await candidate.store();
    if (candidate.figure) {
      outputs.push({ type: 'image', image: { fileId: file.id } });
    } else {
      files.push({ path: `${SANDBOX_ROOT}/${candidate.name}`, fileId: file.id });
    }
  }
  if (note !== null) {
    ctx.logger.info({ runId, note }, 'code_interpreter outputs over the export quota');
  }
  return { outputs, files };
}

function joinLines(text: string, line: string): string {
  return text === '' || text.endsWith('\n') ? `${text}${line}\n` : `${text}\n${line}\n`;
}

/**
 * Runs the model's Python in the sandbox, in the run's session (its files and variables carry
 * over between calls). What went wrong in the code, or with the sandbox, is reported to the
 * model in the logs: code is never run unsandboxed.
 */
export async function runCodeInterpreter(
  ctx: ServiceContext,
  deps: CodeInterpreterDeps,
  run: RunRef,
  call: PendingBuiltinCall,
  signal: AbortSignal,
): Promise<CodeInterpreterToolCall> {
  const code = stringArgument(call.arguments, 'code');
  if (code === null) {
    return result(call, call.arguments, [
      {
        type: 'logs',
        logs: 'Error: code_interpreter takes JSON arguments with a "code" string; nothing was run.',
      },
    ]);
  }
  const availability = await deps.sandbox.available();
  if (!availability.ok) {
    ctx.logger.warn({ reason: availability.reason }, 'code_interpreter is unavailable');
    return result(call, code, [
      {
        type: 'logs',
        logs: `code_interpreter is unavailable on this server (${availability.reason}); the code was not run.`,
      },
    ]);
  }
  const fresh = !(await exists(path.join(deps.workDir, run.id)));
  const sessionDir = await createSandboxSession(deps.workDir, run.id);
  if (fresh) {
    await recordCodeInterpreterSession(
      { ...ctx, actor: { ...ctx.actor, apiKeyId: run.apiKeyId } },
      run.id,
    );
  }
  const scratch = await mkdtemp(path.join(tmpdir(), 'code-inputs-'));
  try {
    const execution = await deps.sandbox.execute({
      sessionDir,
      code,
      // The run's files go in once, at its first call: later calls see what the code made of them.
      inputFiles: fresh ? await inputFiles(ctx, run, scratch) : [],
      signal,
    });
    if (execution.diagnostics !== '') {
      ctx.logger.info({ diagnostics: execution.diagnostics }, 'sandbox diagnostics');
    }
    const { outputs, files } = await storeOutputs(ctx, deps.exportQuota, run.id, execution);
    return result(call, code, outputs, files);
  } catch (error) {
    if (error instanceof SandboxUnavailableError) {
      ctx.logger.warn({ err: error }, 'code_interpreter is unavailable');
      return result(call, code, [
        {
          type: 'logs',
          logs: `code_interpreter is unavailable on this server (${error.message}); the code was not run.`,
        },
      ]);
    }
    if (error instanceof SandboxError) {
      // The machinery failed, not the code (e.g. the files do not fit in /mnt/data).
      ctx.logger.error({ err: error }, 'code sandbox failed');
      // Start over at the next call, input files included.
      await removeSandboxSession(sessionDir);
      return result(call, code, [
        { type: 'logs', logs: `The sandbox could not run the code: ${error.message}` },
      ]);
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
