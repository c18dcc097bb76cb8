import type { SandboxKilledReason, SandboxLimits } from './code-sandbox.js';

function mb(bytes: number): string {
  return String(Math.round(bytes / 1024 / 1024));
}

/** The line appended to the logs so the model knows which limit stopped its code. */
export function limitNote(reason: SandboxKilledReason, limits: SandboxLimits): string {
  switch (reason) {
    case 'time':
      return `Execution stopped: the time limit of ${limits.timeoutMs / 1000} s was reached.`;
    case 'cpu':
      return `Execution stopped: the CPU time limit of ${limits.cpuSeconds} s was reached.`;
    case 'memory':
      return `Execution stopped: the memory limit of ${mb(limits.memoryBytes)} MB was reached.`;
    case 'output':
      return `Execution stopped: the output exceeded ${mb(limits.maxOutputBytes)} MB.`;
    case 'processes':
      return `The limit of ${limits.maxProcesses} processes and threads was reached.`;
    case 'file_size':
      return `A file reached the size limit of ${mb(limits.fileSizeBytes)} MB.`;
    case 'disk':
      return `The disk is full: /mnt/data holds at most ${mb(limits.filesBytes)} MB.`;
    case 'cancelled':
      return 'Execution cancelled.';
    case 'sandbox':
      return 'The sandbox ended unexpectedly; files written in this call were not kept.';
  }
}
