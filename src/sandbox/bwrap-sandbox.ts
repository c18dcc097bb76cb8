import { constants, readFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { bubblewrapArgs, runnerConfig } from './bwrap-args.js';
import {
  type CodeSandbox,
  type SandboxAvailability,
  SandboxError,
  type SandboxExecuteInput,
  type SandboxKilledReason,
  type SandboxResult,
  SandboxUnavailableError,
} from './code-sandbox.js';
import { limitNote } from './limit-note.js';
import type { SandboxConfig } from './sandbox-config.js';
import { applyExport, discardStaging, type RunnerResult } from './sandbox-export.js';
import { runSandboxProcess, type SandboxProcessOutcome } from './sandbox-process.js';
import { seccompFilter } from './seccomp.js';
import { listWorkspace, openSession, placeInputFiles, sessionPaths } from './session-dir.js';

/** The runner's modules (runner/*.py), dependencies first, as the bootstrap loads them. */
const RUNNER_MODULES = JSON.stringify(
  ['sandbox_protocol', 'sandbox_user_code', 'sandbox_supervisor'].map((name) => [
    name,
    readFileSync(new URL(`./runner/${name}.py`, import.meta.url), 'utf8'),
  ]),
);
/** `python3 -c` program: no file of ours needs to be visible inside the sandbox. */
const RUNNER_BOOTSTRAP = `import json, sys, types
for name, source in json.loads(sys.argv[1]):
    module = types.ModuleType(name)
    module.__file__ = '<' + name + '>'
    sys.modules[name] = module
    exec(compile(source, module.__file__, 'exec'), module.__dict__)
sys.exit(sys.modules['sandbox_supervisor'].run())`;
const SECCOMP_FILTER = seccompFilter();
/** fd 0-3 are stdin, logs, the sandbox's messages and the export. */
const SECCOMP_FD = 4;

/** Beyond the code's wall time: starting, importing the workspace, exporting results. */
const EXTRA_WALL_MS = 15_000;
/** A failed availability probe is retried after this long (a passing one is kept). */
const PROBE_RETRY_MS = 30_000;

const PROBE_CODE = `import sys, importlib.util
print(sys.version.split()[0])
print(','.join(m for m in ('numpy', 'pandas', 'matplotlib') if importlib.util.find_spec(m) is None))`;

const REASONS = new Set<string>([
  'time',
  'cpu',
  'memory',
  'output',
  'processes',
  'file_size',
  'disk',
  'cancelled',
] satisfies SandboxKilledReason[]);

/** The bubblewrap backend (Linux). See `code-sandbox.ts` for the contract. */
export class BubblewrapSandbox implements CodeSandbox {
  private probe?: { at: number; result: Promise<SandboxAvailability>; failed: boolean };
  private readonly sessions = new Map<string, Promise<unknown>>();

  constructor(private readonly config: SandboxConfig) {}

  available(): Promise<SandboxAvailability> {
    if (this.config.disabled) {
      return Promise.resolve({
        ok: false,
        reason: 'the code sandbox is turned off (SANDBOX_DISABLED=true)',
      });
    }
    const now = Date.now();
    if (!this.probe || (this.probe.failed && this.probe.at + PROBE_RETRY_MS < now)) {
      const probe = { at: now, result: this.runProbe(), failed: false };
      void probe.result.then((availability) => {
        probe.failed = !availability.ok;
      });
      this.probe = probe;
    }
    return this.probe.result;
  }

  async execute(input: SandboxExecuteInput): Promise<SandboxResult> {
    const availability = await this.available();
    if (!availability.ok) {
      throw new SandboxUnavailableError(availability.reason);
    }
    return this.oneAtATime(path.resolve(input.sessionDir), () => this.run(input));
  }

  /** Calls on one session directory queue behind each other. */
  private oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.sessions.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.sessions.set(key, settled);
    void settled.then(() => {
      if (this.sessions.get(key) === settled) {
        this.sessions.delete(key);
      }
    });
    return run;
  }

  private async runProbe(): Promise<SandboxAvailability> {
    if (process.platform !== 'linux') {
      return {
        ok: false,
        reason: `the code sandbox needs Linux (bubblewrap), not ${process.platform}`,
      };
    }
    const programs = [
      [this.config.bwrapPath, 'SANDBOX_BWRAP', 'install the bubblewrap package'],
      [this.config.pythonPath, 'SANDBOX_PYTHON', 'install python3'],
    ] as const;
    for (const [program, variable, hint] of programs) {
      try {
        await access(program, constants.X_OK);
      } catch {
        return {
          ok: false,
          reason: `${program} (${variable}) is missing or not executable: ${hint}`,
        };
      }
    }
    let sessionDir: string | undefined;
    try {
      await mkdir(this.config.workDir, { recursive: true, mode: 0o700 });
      sessionDir = await mkdtemp(path.join(this.config.workDir, '.probe-'));
      const result = await this.run({ sessionDir, code: PROBE_CODE });
      const [version = '', missing = ''] = result.logs.split('\n');
      if (result.exitCode !== 0 || !/^\d+\.\d+/.test(version)) {
        const detail = [result.diagnostics, result.logs].join('\n').trim().slice(0, 500);
        return { ok: false, reason: `the sandbox started but Python failed: ${detail}` };
      }
      const missingPackages = missing ? missing.split(',') : [];
      return { ok: true, pythonVersion: version, missingPackages };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `the sandbox cannot start here: ${message}` };
    } finally {
      if (sessionDir) {
        await rm(sessionDir, { recursive: true, force: true });
      }
    }
  }

  private async run(input: SandboxExecuteInput): Promise<SandboxResult> {
    const started = performance.now();
    const limits = { ...this.config.limits, ...input.limits };
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new SandboxError(`limit ${name} must be a positive integer, not ${value}`);
      }
    }
    const sessionDir = path.resolve(input.sessionDir);
    await openSession(sessionDir);
    await placeInputFiles(sessionDir, input.inputFiles ?? []);
    const files = await listWorkspace(sessionDir, limits.filesBytes);
    const statePath = sessionPaths(sessionDir).state;
    const state = await stat(statePath).then(
      (info) => ({ path: statePath, size: info.size }),
      () => undefined,
    );
    const workspaceBytes = files.reduce((sum, file) => sum + file.size, 0) + (state?.size ?? 0);

    const outcome = await runSandboxProcess({
      bwrapPath: this.config.bwrapPath,
      args: bubblewrapArgs({
        pythonPath: this.config.pythonPath,
        pythonArgs: ['-c', RUNNER_BOOTSTRAP, RUNNER_MODULES, JSON.stringify(runnerConfig(limits))],
        filesBytes: limits.filesBytes,
        ...(SECCOMP_FILTER ? { seccompFd: SECCOMP_FD } : {}),
      }),
      seccomp: SECCOMP_FILTER,
      // As root, the sandbox runs as an unprivileged uid: the kernel does not count root's
      // processes against RLIMIT_NPROC (fork bombs), and that uid owns nothing on the host.
      identity:
        process.getuid?.() === 0 ? { uid: this.config.uid, gid: this.config.uid } : undefined,
      limits,
      sessionDir,
      code: input.code,
      files,
      state,
      // Moving the workspace in and out is allowed about 50 MB/s on top.
      wallMs: limits.timeoutMs + EXTRA_WALL_MS + Math.ceil(workspaceBytes / (50 * 1024)),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    try {
      this.assertStarted(outcome);
      const applied = outcome.complete
        ? await applyExport(sessionDir, outcome.received)
        : { outputFiles: [], images: [] };
      const result = outcome.complete ? outcome.received.result : undefined;
      const reason = killedReason(outcome.stopReason, result);
      const logs = outcome.logs.text();
      // The runner's notes (files it could not keep) concern the model's work: it sees them.
      const note = [...(reason ? [limitNote(reason, limits)] : []), ...(result?.notes ?? [])]
        .map((line) => `[sandbox] ${line}\n`)
        .join('');
      const diagnostics = [
        outcome.diagnostics.text().trim(),
        ...(result?.notes ?? []),
        outcome.exportError ? `export rejected: ${outcome.exportError.message}` : '',
      ];
      return {
        logs: logs && note && !logs.endsWith('\n') ? `${logs}\n${note}` : logs + note,
        truncated: outcome.logs.truncated,
        exitCode: result?.exitCode ?? null,
        timedOut: reason === 'time',
        ...(reason ? { killedReason: reason } : {}),
        outputFiles: applied.outputFiles,
        images: applied.images,
        diagnostics: diagnostics.filter((line) => line.length > 0).join('\n'),
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await discardStaging(outcome.staging);
    }
  }

  /** Throws when the sandbox itself failed before the code could run. */
  private assertStarted(outcome: SandboxProcessOutcome): void {
    if (outcome.spawnError) {
      throw new SandboxError(
        `${this.config.bwrapPath} could not be started: ${outcome.spawnError.message}`,
        { cause: outcome.spawnError },
      );
    }
    if (outcome.received.started || outcome.stopReason === 'cancelled') {
      return;
    }
    if (outcome.received.result?.error === 'workspace_full') {
      throw new SandboxError('the input files do not fit in /mnt/data');
    }
    const detail =
      outcome.diagnostics.text().trim() || outcome.importError?.message || 'no message';
    throw new SandboxError(`the sandbox did not start: ${detail.slice(0, 1000)}`);
  }
}

function killedReason(
  stopReason: SandboxKilledReason | undefined,
  result: RunnerResult | undefined,
): SandboxKilledReason | undefined {
  if (stopReason) {
    return stopReason;
  }
  if (!result) {
    // The runner vanished without its report: the code killed it, or something else did.
    return 'sandbox';
  }
  const reason = result.reason ?? result.limit;
  if (reason === undefined) {
    return undefined;
  }
  return isKilledReason(reason) ? reason : 'sandbox';
}

function isKilledReason(value: string): value is SandboxKilledReason {
  return REASONS.has(value);
}
