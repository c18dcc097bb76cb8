import { lstatSync, readlinkSync } from 'node:fs';
import type { SandboxLimits } from './code-sandbox.js';

/** Settings the in-sandbox runner (runner/*.py) reads from its argv. */
export interface RunnerConfig {
  timeoutMs: number;
  cpuSeconds: number;
  memoryBytes: number;
  maxProcesses: number;
  fileSizeBytes: number;
  stateMaxBytes: number;
  maxFigures: number;
  figureMaxBytes: number;
  maxFiles: number;
}

const MB = 1024 * 1024;

/** Pickled globals carried between calls, at most. */
export const STATE_MAX_BYTES = 64 * MB;
export const MAX_FIGURES = 20;
export const FIGURE_MAX_BYTES = 8 * MB;
/** Changed files exported per call, at most. */
export const MAX_FILES = 1000;

export function runnerConfig(limits: SandboxLimits): RunnerConfig {
  return {
    timeoutMs: limits.timeoutMs,
    cpuSeconds: limits.cpuSeconds,
    memoryBytes: limits.memoryBytes,
    maxProcesses: limits.maxProcesses,
    fileSizeBytes: limits.fileSizeBytes,
    stateMaxBytes: STATE_MAX_BYTES,
    maxFigures: MAX_FIGURES,
    figureMaxBytes: FIGURE_MAX_BYTES,
    maxFiles: MAX_FILES,
  };
}

/** The only host paths the sandbox sees, all read-only: what Python and its libraries load. */
const ETC_FILES = [
  '/etc/alternatives', // Debian's BLAS/LAPACK and other shared libraries are symlinks through it
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/fonts',
  '/etc/matplotlibrc',
  '/etc/mime.types',
  '/etc/localtime',
];

/** Top-level directories that hold programs and libraries, as this host lays them out. */
const ROOT_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function rootDirArgs(): string[] {
  return ROOT_DIRS.flatMap((dir) => {
    try {
      const info = lstatSync(dir);
      if (info.isSymbolicLink()) {
        // Merged /usr (Debian 12): /bin -> usr/bin, already inside the /usr bind.
        return ['--symlink', readlinkSync(dir), dir];
      }
      return info.isDirectory() ? ['--ro-bind', dir, dir] : [];
    } catch {
      return [];
    }
  });
}

const SANDBOX_ENV: Record<string, string> = {
  PATH: '/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  USER: 'sandbox',
  LOGNAME: 'sandbox',
  MPLBACKEND: 'Agg',
  MPLCONFIGDIR: '/tmp/matplotlib',
  // One BLAS thread per process: threads count against the process limit and share the CPUs.
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  PYTHONDONTWRITEBYTECODE: '1',
};

/**
 * bubblewrap's arguments. Every namespace is new (user, pid, net, ipc, uts, cgroup), the
 * environment is replaced, the root is an empty read-only tmpfs with /usr and a few /etc files
 * bound read-only, and the only writable places are size-limited tmpfs mounts: /mnt/data,
 * /tmp and /dev/shm.
 */
export function bubblewrapArgs(input: {
  pythonPath: string;
  /** After the interpreter's own flags: the program and its arguments. */
  pythonArgs: string[];
  filesBytes: number;
  /** File descriptor bwrap reads the seccomp filter from, if there is one. */
  seccompFd?: number;
}): string[] {
  const tmpBytes = String(64 * MB);
  return [
    '--unshare-all',
    '--unshare-user',
    // Nested user namespaces are the usual door to kernel bugs; the code has no use for them.
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--uid',
    '1000',
    '--gid',
    '1000',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
    // Hides pip-installed host packages and tools: the sandbox gets Debian's packages only.
    '--tmpfs',
    '/usr/local',
    '--remount-ro',
    '/usr/local',
    ...rootDirArgs(),
    ...ETC_FILES.flatMap((file) => ['--ro-bind-try', file, file]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    tmpBytes,
    '--tmpfs',
    '/dev/shm',
    '--size',
    tmpBytes,
    '--tmpfs',
    '/tmp',
    '--size',
    String(input.filesBytes),
    '--tmpfs',
    '/mnt/data',
    // bwrap's own tmpfs mounts (/ and /dev) have no size limit: nothing may write there.
    '--remount-ro',
    '/dev',
    '--remount-ro',
    '/',
    ...(input.seccompFd === undefined ? [] : ['--seccomp', String(input.seccompFd)]),
    '--chdir',
    '/mnt/data',
    ...Object.entries(SANDBOX_ENV).flatMap(([name, value]) => ['--setenv', name, value]),
    '--',
    input.pythonPath,
    // Isolated (no PYTHON* variables, no user site), unbuffered, no bytecode writes.
    '-I',
    '-u',
    '-B',
    ...input.pythonArgs,
  ];
}
