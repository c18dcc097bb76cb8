import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Env } from '../env.js';
import type { SandboxLimits } from './code-sandbox.js';

export interface SandboxConfig {
  /** `SANDBOX_DISABLED`: never run code; `available()` says so. */
  disabled: boolean;
  bwrapPath: string;
  pythonPath: string;
  /** Host uid (and gid) of the sandbox when the server runs as root. */
  uid: number;
  /** Parent of the per-run session directories. */
  workDir: string;
  /** Defaults of every call; `execute({ limits })` overrides them. */
  limits: SandboxLimits;
}

const MB = 1024 * 1024;

/** Limits derived from the few configured ones. */
export function sandboxLimits(input: {
  timeoutMs: number;
  memoryMb: number;
  filesMb: number;
  maxProcesses: number;
  logChars: number;
}): SandboxLimits {
  return {
    timeoutMs: input.timeoutMs,
    cpuSeconds: Math.ceil(input.timeoutMs / 1000),
    memoryBytes: input.memoryMb * MB,
    maxProcesses: input.maxProcesses,
    filesBytes: input.filesMb * MB,
    fileSizeBytes: input.filesMb * MB,
    logChars: input.logChars,
    // The model sees `logChars`; reading far more only burns the server's CPU.
    maxOutputBytes: Math.max(MB, input.logChars * 50),
  };
}

export function sandboxConfigFromEnv(env: Env): SandboxConfig {
  return {
    disabled: env.SANDBOX_DISABLED,
    bwrapPath: env.SANDBOX_BWRAP,
    pythonPath: env.SANDBOX_PYTHON,
    uid: env.SANDBOX_UID,
    workDir: env.SANDBOX_WORK_DIR ?? path.join(tmpdir(), 'assistants-sandbox'),
    limits: sandboxLimits({
      timeoutMs: env.SANDBOX_TIMEOUT_MS,
      memoryMb: env.SANDBOX_MEMORY_MB,
      filesMb: env.SANDBOX_FILES_MB,
      maxProcesses: env.SANDBOX_MAX_PROCESSES,
      logChars: env.SANDBOX_LOG_CHARS,
    }),
  };
}
