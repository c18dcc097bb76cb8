import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServiceContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import {
  SandboxError,
  type SandboxInputFile,
  SandboxUnavailableError,
} from '../../../sandbox/code-sandbox.js';
import { createSandboxSession, removeSandboxSession } from '../../../sandbox/sessions.js';
import { storeContainerFileBytes } from '../../containers/container-file-bytes.js';
import { putStoredFile } from '../../containers/container-files.js';
import { useContainer } from '../../containers/containers.js';
import { recordResponseCodeInterpreterSession } from '../../metering/code-interpreter-sessions.js';
import { selectExports } from '../../runs/engine/tools/code-interpreter-exports.js';
import type { CodeInterpreterDeps } from '../../runs/engine/tools/code-interpreter-tool.js';
import type { CitableFile } from './code-call-writer.js';

const SANDBOX_ROOT = '/mnt/data';

/** What one code_interpreter call produced: OpenAI's outputs, files written, the model's view. */
export interface CodeCallResult {
  outputs: ({ type: 'logs'; logs: string } | { type: 'image'; url: string })[];
  written: CitableFile[];
  /** The tool message the model gets. */
  modelOutput: string;
}

function logsOnly(logs: string): CodeCallResult {
  return { outputs: [{ type: 'logs', logs }], written: [], modelOutput: logs };
}

async function exists(dir: string): Promise<boolean> {
  return stat(dir).then(
    () => true,
    () => false,
  );
}

/**
 * The container's files the sandbox lacks, copied to `scratch`: each file is placed once per
 * session (by its id); files the code wrote are already there, unless the session is new (a
 * worker that had not run this container before).
 */
async function inputFiles(
  ctx: ServiceContext,
  containerId: string,
  fresh: boolean,
  scratch: string,
): Promise<SandboxInputFile[]> {
  const rows = await ctx.db.containerFile.findMany({
    where: { containerId, storageKey: { not: null }, ...(fresh ? {} : { source: 'user' }) },
    orderBy: { seq: 'asc' },
  });
  const files: SandboxInputFile[] = [];
  for (const row of rows) {
    if (row.storageKey === null) {
      continue;
    }
    const copy = path.join(scratch, row.id);
    await pipeline(await ctx.storage.get(row.storageKey), createWriteStream(copy));
    files.push({ id: row.id, name: path.posix.relative(SANDBOX_ROOT, row.path), path: copy });
  }
  return files;
}

/**
 * Runs a response's code in the sandbox session of its container (`/mnt/data` and variables
 * carry over between calls and responses on that container). Files the code wrote become
 * container files (`source: 'assistant'`, within the export quota); figures are image outputs.
 * What went wrong (an expired container, no sandbox) is told to the model in the logs. The
 * response's first call that reaches the sandbox meters one code interpreter session.
 */
export async function runCodeCall(
  ctx: ServiceContext,
  deps: CodeInterpreterDeps,
  call: { responseId: string; containerId: string; code: string },
  signal: AbortSignal,
): Promise<CodeCallResult> {
  const { containerId, code } = call;
  try {
    await useContainer(ctx, containerId);
  } catch (error) {
    if (error instanceof AppError) {
      return logsOnly(`${error.message} The code was not run.`);
    }
    throw error;
  }
  const availability = await deps.sandbox.available();
  if (!availability.ok) {
    return logsOnly(
      `code_interpreter is unavailable on this server (${availability.reason}); the code was not run.`,
    );
  }
  const fresh = !(await exists(path.join(deps.workDir, containerId)));
  const sessionDir = await createSandboxSession(deps.workDir, containerId);
  // Metered for the response (`ctx` acts with its key) once code runs in the session.
  await recordResponseCodeInterpreterSession(ctx, call.responseId);
  const scratch = await mkdtemp(path.join(tmpdir(), 'container-inputs-'));
  try {
    const execution = await deps.sandbox.execute({
      sessionDir,
      code,
      inputFiles: await inputFiles(ctx, containerId, fresh, scratch),
      signal,
    });
    const candidates = execution.outputFiles.map((file) => ({
      ...file,
      label: `${SANDBOX_ROOT}/${file.name}`,
    }));
    const { kept, note } = selectExports(candidates, deps.exportQuota, { files: 0, bytes: 0 });
    const logs = note === null ? execution.logs : `${execution.logs}${note}\n`;
    const outputs: CodeCallResult['outputs'] = logs === '' ? [] : [{ type: 'logs', logs }];
    for (const image of execution.images) {
      const bytes = await readFile(image.path);
      outputs.push({ type: 'image', url: `data:image/png;base64,${bytes.toString('base64')}` });
    }
    const written: CitableFile[] = [];
    for (const file of kept) {
      const stored = await storeContainerFileBytes(
        ctx,
        { containerId, path: file.label, source: 'assistant' },
        createReadStream(file.path),
      );
      const row = await putStoredFile(ctx, stored);
      written.push({ containerId, fileId: row.id, path: row.path });
    }
    const lines = [logs === '' ? '(no output)' : logs];
    if (execution.images.length > 0) {
      lines.push(`[${execution.images.length} image(s) displayed to the user]`);
    }
    if (written.length > 0) {
      lines.push(`[files saved: ${written.map((file) => `sandbox:${file.path}`).join(', ')}]`);
    }
    return { outputs, written, modelOutput: lines.join('\n') };
  } catch (error) {
    if (error instanceof SandboxUnavailableError) {
      return logsOnly(`code_interpreter is unavailable on this server (${error.message}).`);
    }
    if (error instanceof SandboxError) {
      ctx.logger.error({ err: error }, 'code sandbox failed');
      // Start over at the next call, the container's files included.
      await removeSandboxSession(sessionDir);
      return logsOnly(`The sandbox could not run the code: ${error.message}`);
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
