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
  exportQuota: ExportQuota;
}

/**
 * How much of what code writes becomes Files (`assistants_output`): the sandbox's own limits
 * bound `/mnt/data`, these bound what is kept in storage, so code cannot fill `DATA_DIR` or the
 * bucket call after call.
 */
export interface ExportQuota {
  /** Files one call may export (figures included). (Default: 32, `SANDBOX_EXPORT_FILES`) */
  filesPerCall: number;
  /** Bytes one call may export. (Default: 64 MB, `SANDBOX_EXPORT_MB`) */
  bytesPerCall: number;
  /** Files all calls of a run may export together. (Default: 128, `SANDBOX_RUN_EXPORT_FILES`) */
  filesPerRun: number;
  /** Bytes all calls of a run may export together. (Default: 256 MB, `SANDBOX_RUN_EXPORT_MB`) */
  bytesPerRun: number;
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
    exportQuota: {
      filesPerCall: env.SANDBOX_EXPORT_FILES,
      bytesPerCall: env.SANDBOX_EXPORT_MB * MB,
      filesPerRun: env.SANDBOX_RUN_EXPORT_FILES,
      bytesPerRun: env.SANDBOX_RUN_EXPORT_MB * MB,
    },
  };
}
