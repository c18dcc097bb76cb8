import { type ChildProcess, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import type { SandboxKilledReason, SandboxLimits } from './code-sandbox.js';
import { frameHeader, writeChunk, writeFileFrame } from './frames.js';
import { LogCapture } from './log-capture.js';
import { type ReceivedExport, receiveExport } from './sandbox-export.js';
import type { WorkspaceFile } from './session-dir.js';

/** After asking the runner to stop, how long before the whole sandbox is killed. */
const STOP_GRACE_MS = 3000;

export interface SandboxProcessInput {
  bwrapPath: string;
  args: string[];
  /** Seccomp filter bwrap reads on fd 4 (the args must say `--seccomp 4`). */
  seccomp: Buffer | undefined;
  /** Host uid/gid to run bwrap as (when the server is root). */
  identity: { uid: number; gid: number } | undefined;
  limits: SandboxLimits;
  sessionDir: string;
  code: string;
  files: WorkspaceFile[];
  state: { path: string; size: number } | undefined;
  /** Hard limit on the whole process (start, import, code, export), milliseconds. */
  wallMs: number;
  signal?: AbortSignal;
}

export interface SandboxProcessOutcome {
  spawnError?: Error;
  /** Why the server stopped the code (output, cancel, its own deadline), if it did. */
  stopReason?: SandboxKilledReason;
  /** The server SIGKILLed the sandbox (after a stop that was not honoured, or a failure). */
  killed: boolean;
  importError?: Error;
  logs: LogCapture;
  diagnostics: LogCapture;
  received: ReceivedExport;
  complete: boolean;
  exportError?: Error;
  /** Staging directory of the export; the caller removes it. */
  staging: string;
}

/**
 * Runs bwrap with the runner: streams the workspace in (stdin), reads logs (stdout), the
 * sandbox's own messages (stderr) and the export (fd 3), all with bounded memory, and enforces
 * the output limit, cancellation and a hard deadline. Resolves once every process of the
 * sandbox is gone.
 */
export async function runSandboxProcess(
  input: SandboxProcessInput,
): Promise<SandboxProcessOutcome> {
  const { limits } = input;
  const child = spawn(input.bwrapPath, input.args, {
    // bwrap's own environment is readable in the sandbox (/proc/1/environ): give it none.
    env: {},
    cwd: '/',
    // Its own process group, so one kill reaches bwrap whatever the code does.
    detached: true,
    stdio: input.seccomp
      ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe']
      : ['pipe', 'pipe', 'pipe', 'pipe'],
    ...input.identity,
  });
  const seccompStream = child.stdio[4];
  if (input.seccomp && seccompStream instanceof Writable) {
    seccompStream.on('error', () => undefined);
    seccompStream.end(input.seccomp);
  }
  const outcome: Omit<SandboxProcessOutcome, 'received' | 'complete' | 'staging'> = {
    killed: false,
    logs: new LogCapture(limits.logChars),
    diagnostics: new LogCapture(4000),
  };
  let importDone = false;
  const timers: NodeJS.Timeout[] = [];

  const kill = () => {
    outcome.killed = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const requestStop = (reason: SandboxKilledReason) => {
    if (outcome.stopReason) {
      return;
    }
    outcome.stopReason = reason;
    if (!importDone || !child.stdin) {
      kill();
      return;
    }
    // The runner stops the code and still exports what it wrote.
    child.stdin.write(frameHeader({ kind: 'stop', size: 0, reason }), () => undefined);
    timers.push(setTimeout(kill, STOP_GRACE_MS));
  };

  child.stdin?.on('error', () => undefined);
  child.stdout?.on('data', (chunk: Buffer) => {
    outcome.logs.push(chunk);
    if (outcome.logs.bytes > limits.maxOutputBytes) {
      requestStop('output');
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => outcome.diagnostics.push(chunk));
  const exportStream = child.stdio[3];
  const exported = receiveExport(
    exportStream instanceof Readable ? exportStream : Readable.from([]),
    input.sessionDir,
    limits.filesBytes,
  );
  const closed = waitForExit(child);

  timers.push(
    setTimeout(() => {
      outcome.stopReason ??= 'time';
      kill();
    }, input.wallMs),
  );
  const onAbort = () => requestStop('cancelled');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) {
    onAbort();
  }
  if (child.stdin && child.pid !== undefined) {
    writeImport(child.stdin, input).then(
      () => {
        importDone = true;
      },
      (error: unknown) => {
        outcome.importError = error instanceof Error ? error : new Error(String(error));
        kill();
      },
    );
  }

  outcome.spawnError = await closed;
  const { received, complete, staging, error } = await exported;
  for (const timer of timers) {
    clearTimeout(timer);
  }
  input.signal?.removeEventListener('abort', onAbort);
  return { ...outcome, received, complete, staging, ...(error ? { exportError: error } : {}) };
}

/** Resolves when the sandbox has exited and its pipes closed; with the error if it never ran. */
function waitForExit(child: ChildProcess): Promise<Error | undefined> {
  return new Promise((resolve) => {
    child.once('close', () => resolve(undefined));
    child.once('error', (error) => {
      if (child.pid === undefined) {
        resolve(error);
      }
    });
  });
}

async function writeImport(stdin: Writable, input: SandboxProcessInput): Promise<void> {
  const source = Buffer.from(input.code, 'utf8');
  await writeChunk(stdin, frameHeader({ kind: 'code', size: source.length }));
  await writeChunk(stdin, source);
  for (const file of input.files) {
    await writeFileFrame(stdin, { kind: 'file', name: file.name, size: file.size }, file.path);
  }
  if (input.state) {
    await writeFileFrame(stdin, { kind: 'state', size: input.state.size }, input.state.path);
  }
  // stdin stays open: it carries `stop` frames until the sandbox exits.
  await writeChunk(stdin, frameHeader({ kind: 'end', size: 0 }));
}
