/**
 * The execution sandbox behind the `code_interpreter` tool: runs model-written Python, isolated
 * from the server (no network, no view of its files or environment), with limits on wall time,
 * CPU, memory, processes, output and file sizes.
 *
 * State lives in a *session directory* on the host, one per run (see `sessions.ts`): the files
 * of `/mnt/data` and the picklable globals carried from one call to the next. The sandbox never
 * sees the session directory itself: its files are streamed into a fresh sandbox for every call
 * and what the code changed is streamed back and validated before it is written.
 */
export interface CodeSandbox {
  /** Whether code can run here; the reason (for logs and the tool's error) when it cannot. */
  available(): Promise<SandboxAvailability>;
  /**
   * Runs one cell of Python in a fresh sandbox. Failures of the code itself (exceptions, limits,
   * escape attempts) are reported in the result, never thrown. Throws `SandboxUnavailableError`
   * when no sandbox can start (code is never run unsandboxed) and `SandboxError` when the
   * sandbox itself failed (bad input files, a session directory that cannot be written).
   * Calls on one session directory run one at a time.
   */
  execute(input: SandboxExecuteInput): Promise<SandboxResult>;
}

export type SandboxAvailability =
  | { ok: true; pythonVersion: string; missingPackages: string[] }
  | { ok: false; reason: string };

export interface SandboxExecuteInput {
  /** Host directory holding this run's state; created if missing. See `sessions.ts`. */
  sessionDir: string;
  /** Python source. The value of a trailing expression is printed, as in a notebook. */
  code: string;
  /**
   * Files placed in `/mnt/data` under their (sanitized) names before the code runs, replacing a
   * file of the same name. Placed files the code leaves unchanged are not reported as outputs.
   * A file with an `id` (e.g. its File id) is placed once per session: pass all of a run's files
   * on every call, and later calls leave `/mnt/data` as the code left it.
   */
  inputFiles?: SandboxInputFile[];
  /** Overrides of the configured limits for this call. */
  limits?: Partial<SandboxLimits>;
  /** Aborting stops the code (`killedReason: 'cancelled'`); files written so far are kept. */
  signal?: AbortSignal;
}

export type SandboxInputFile = { name: string; id?: string } & (
  | { path: string }
  | { bytes: Uint8Array }
);

export interface SandboxLimits {
  /** Wall time of the code, in milliseconds. */
  timeoutMs: number;
  /** CPU seconds per process. (Default: the wall time, rounded up) */
  cpuSeconds: number;
  /** Memory of the code, bytes: address space per process and proportional total of all. */
  memoryBytes: number;
  /** Processes and threads the code may run at once, itself included. */
  maxProcesses: number;
  /** Total size of `/mnt/data` (a tmpfs), input files included, bytes. */
  filesBytes: number;
  /** Largest single file the code may write, bytes. (Default: `filesBytes`) */
  fileSizeBytes: number;
  /** Characters of output kept in `logs`; the middle of longer output is cut. */
  logChars: number;
  /** Output beyond this many bytes stops the code (`killedReason: 'output'`). */
  maxOutputBytes: number;
}

export type SandboxKilledReason =
  | 'time'
  | 'cpu'
  | 'memory'
  | 'output'
  | 'processes'
  | 'file_size'
  | 'disk'
  | 'cancelled'
  | 'sandbox';

export interface SandboxOutputFile {
  /** Path relative to `/mnt/data`, `/`-separated (`chart.png`, `out/report.csv`). */
  name: string;
  /** Host path of the bytes. Valid until the next call on the same session. */
  path: string;
  bytes: number;
  /** PNG, JPEG or GIF by its magic bytes. */
  isImage: boolean;
  imageType?: 'png' | 'jpeg' | 'gif';
}

export interface SandboxImage {
  /** Host path of a PNG. Valid until the next call on the same session. */
  path: string;
  bytes: number;
}

export interface SandboxResult {
  /**
   * stdout and stderr interleaved (tracebacks included), cut to `logChars` with a marker, plus a
   * final `[sandbox] …` line when a limit stopped the code. This is what the model should see.
   */
  logs: string;
  /** Whether the middle of the output was cut from `logs`. */
  truncated: boolean;
  /** Exit status of the code: 0, 1 for an uncaught exception; null when it was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** The limit or event that stopped (or broke) the code, if any. */
  killedReason?: SandboxKilledReason;
  /** Files created or changed in `/mnt/data` by this call. */
  outputFiles: SandboxOutputFile[];
  /** Figures shown with matplotlib (`plt.show()`, or left open at the end), as PNG. */
  images: SandboxImage[];
  /** Messages of the sandbox machinery itself (bwrap, the runner): for server logs, not models. */
  diagnostics: string;
  durationMs: number;
}

/** No sandbox backend can start here: the code was not run. */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

/** The sandbox machinery failed (not the code): bad input, session directory trouble. */
export class SandboxError extends Error {
  override name = 'SandboxError';
}
