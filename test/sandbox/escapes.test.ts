import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxFixture } from './sandbox-fixture.js';

// A uid of this file's own, so counting its processes on the host sees only these sandboxes.
const SANDBOX_UID = 61_234;
const { sandbox, session, config } = await sandboxFixture({
  SANDBOX_UID: String(SANDBOX_UID),
  SANDBOX_TIMEOUT_MS: '4000',
  SANDBOX_MEMORY_MB: '256',
  SANDBOX_FILES_MB: '32',
  SANDBOX_MAX_PROCESSES: '16',
});

const SECRET = 'sk-test-secret-b7d1c2e9f0a4';

interface HostProcess {
  uid: number;
  name: string;
}

/** Live processes on the host (zombies hold nothing but a pid, and are left out). */
async function hostProcesses(): Promise<HostProcess[]> {
  const found: HostProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1];
    if (uid !== undefined && name !== undefined && state !== 'Z' && state !== 'X') {
      found.push({ uid: Number(uid), name });
    }
  }
  return found;
}

/** Live host processes running as the sandbox's uid. */
async function sandboxProcesses(): Promise<number> {
  return (await hostProcesses()).filter((process) => process.uid === SANDBOX_UID).length;
}

/**
 * Waits until no process of the sandbox is left. bwrap returns once the code's supervisor
 * exited; its init may take a few more milliseconds to die with the namespace.
 */
async function sandboxGone(): Promise<number> {
  const deadline = Date.now() + 2000;
  let left = await sandboxProcesses();
  while (left > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    left = await sandboxProcesses();
  }
  return left;
}

describe('code sandbox: escape attempts fail and are reported', () => {
  let server: Server;
  let port = 0;
  const accepted: string[] = [];

  beforeAll(async () => {
    process.env.SANDBOX_TEST_SECRET = SECRET;
    server = createServer((socket) => {
      accepted.push(String(socket.remoteAddress));
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    delete process.env.SANDBOX_TEST_SECRET;
    await new Promise((resolve) => server.close(resolve));
  });

  it('sees none of the server’s environment variables, in its own or any process', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import os',
        'print(sorted(os.environ))',
        'for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):',
        '    try:',
        '        print(pid, open(f"/proc/{pid}/environ", "rb").read())',
        '    except OSError as error:',
        '        print(pid, error)',
      ].join('\n'),
    });
    expect(result.exitCode).toBe(0);
    expect(result.logs).toContain("'MPLBACKEND'");
    expect(result.logs).not.toContain(SECRET);
    expect(result.logs).not.toContain('SANDBOX_TEST_SECRET');
    expect(result.logs).not.toContain('DATABASE_URL');
    // The host process does have it: the check above could fail.
    expect(process.env.SANDBOX_TEST_SECRET).toBe(SECRET);
  });

  it('cannot read the server’s files, nor write anywhere but /mnt/data and /tmp', async () => {
    const packageJson = path.resolve('package.json');
    expect(await readFile(packageJson, 'utf8')).toContain('assistants-server');
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import os',
        `for p in [${JSON.stringify(packageJson)}, '/etc/shadow', '/etc/passwd', '/root/.bashrc', '/proc/1/root/etc/shadow', '/var/run/postgresql/.s.PGSQL.5432']:`,
        '    try:',
        '        print("READ", p, open(p).read()[:80])',
        '    except OSError as error:',
        '        print("denied", p, type(error).__name__)',
        `for d in ['/', '/work', '/root', '/etc', '/home', ${JSON.stringify(path.dirname(packageJson))}]:`,
        '    print("list", d, sorted(os.listdir(d)) if os.path.isdir(d) else "absent")',
        "for p in ['/usr/lib/x', '/etc/x', '/x', '/dev/x', '/proc/x']:",
        '    try:',
        '        open(p, "w").write("x")',
        '        print("WROTE", p)',
        '    except OSError as error:',
        '        print("denied", p, type(error).__name__)',
        "try:\n    os.link('/usr/bin/python3', 'hard')\n    print('LINKED')\nexcept OSError as error:\n    print('denied link', type(error).__name__)",
        'print("uid", os.getuid(), os.getgid())',
      ].join('\n'),
    });
    expect(result.exitCode).toBe(0);
    expect(result.logs).not.toContain('READ');
    expect(result.logs).not.toContain('WROTE');
    expect(result.logs).not.toContain('LINKED');
    expect(result.logs).not.toContain('assistants-server');
    expect(result.logs).toContain(`denied ${packageJson} FileNotFoundError`);
    expect(result.logs).toContain('denied /etc/shadow FileNotFoundError');
    expect(result.logs).toContain(
      "list / ['bin', 'dev', 'etc', 'lib', 'lib64', 'mnt', 'proc', 'sbin', 'tmp', 'usr']",
    );
    expect(result.logs).toContain('list /work absent');
    expect(result.logs).toContain('denied /usr/lib/x OSError');
    expect(result.logs).toContain('denied /x OSError');
    expect(result.logs).toContain('denied link');
    expect(result.logs).toContain('uid 1000 1000');
  });

  it('has no network: neither the host’s loopback services nor the outside', async () => {
    // The host listener works: the sandbox's failure below is isolation, not a dead port.
    expect(await readFromHost(port)).toBe('hello from the host\n');
    accepted.length = 0;

    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import socket',
        `for host, port in [('127.0.0.1', ${port}), ('127.0.0.1', 5432), ('1.1.1.1', 443), ('8.8.8.8', 53)]:`,
        '    try:',
        '        socket.create_connection((host, port), timeout=2).close()',
        '        print("CONNECTED", host, port)',
        '    except OSError as error:',
        '        print("blocked", host, port, type(error).__name__)',
        'try:',
        "    print('RESOLVED', socket.getaddrinfo('example.com', 443))",
        'except OSError as error:',
        "    print('no dns', type(error).__name__)",
      ].join('\n'),
    });
    expect(result.exitCode).toBe(0);
    expect(result.logs).not.toContain('CONNECTED');
    expect(result.logs).not.toContain('RESOLVED');
    expect(result.logs).toContain(`blocked 127.0.0.1 ${port} ConnectionRefusedError`);
    expect(result.logs).toContain('blocked 127.0.0.1 5432');
    expect(result.logs).toContain('blocked 1.1.1.1 443');
    expect(result.logs).toContain('no dns');
    expect(accepted).toEqual([]);
  });

  it('contains a fork bomb: the process count stays bounded, the host keeps working, the call returns', async () => {
    const running = sandbox.execute({
      sessionDir: session(),
      code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
    });
    let done = false;
    void running.finally(() => {
      done = true;
    });
    let peak = 0;
    let rootSandboxes = 0;
    let hostSpawned = 0;
    // Samples the bomb's steady state: a scan of /proc is not atomic, and while the time limit
    // kills the bomb, a scan could count dying processes and their replacements together.
    const steadyUntil = Date.now() + config.limits.timeoutMs - 1000;
    while (!done && Date.now() < steadyUntil) {
      const processes = await hostProcesses();
      peak = Math.max(peak, processes.filter((p) => p.uid === SANDBOX_UID).length);
      // No part of the sandbox runs as the host's root, bwrap included.
      rootSandboxes += processes.filter((p) => p.uid === 0 && p.name === 'bwrap').length;
      if (peak > 5 && hostSpawned === 0) {
        // The host can still start processes while the bomb runs.
        const { stdout } = await promisify(execFile)('/bin/echo', ['alive']);
        hostSpawned = stdout === 'alive\n' ? 1 : 0;
      }
    }
    const result = await running;
    expect(result.killedReason).toBe('time');
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.logs).toContain(
      '[sandbox] Execution stopped: the time limit of 4 s was reached.',
    );
    expect(result.durationMs).toBeLessThan(config.limits.timeoutMs + 5000);
    expect(hostSpawned).toBe(1);
    expect(rootSandboxes).toBe(0);
    // Processes and threads allowed, plus bwrap, its init and the runner's supervisor.
    expect(peak).toBeGreaterThan(5);
    expect(peak).toBeLessThanOrEqual(config.limits.maxProcesses + 3);
    expect(await sandboxGone()).toBe(0);
  });

  it('stops a memory hog: one big allocation fails with MemoryError', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: 'blocks = []\nwhile True:\n    blocks.append(b"x" * (64 * 1024 * 1024))',
    });
    expect(result.killedReason).toBe('memory');
    expect(result.exitCode).toBe(1);
    expect(result.logs).toContain('MemoryError');
    expect(result.logs).toContain(
      '[sandbox] Execution stopped: the memory limit of 256 MB was reached.',
    );
  });

  it('stops memory spread over several processes (each under the limit, together over it)', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import os, time',
        'for _ in range(4):',
        '    if os.fork() == 0:',
        '        block = b"x" * (120 * 1024 * 1024)',
        '        time.sleep(60)',
        'time.sleep(60)',
      ].join('\n'),
    });
    expect(result.killedReason).toBe('memory');
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(config.limits.timeoutMs);
    expect(await sandboxGone()).toBe(0);
  });

  it('stops an infinite loop at the time limit, keeping its output and files', async () => {
    const sessionDir = session();
    const result = await sandbox.execute({
      sessionDir,
      code: "print('starting', flush=True)\nopen('partial.txt', 'w').write('before the loop')\nwhile True:\n    pass",
    });
    expect(result).toMatchObject({ killedReason: 'time', timedOut: true, exitCode: null });
    expect(result.logs).toBe(
      'starting\n[sandbox] Execution stopped: the time limit of 4 s was reached.\n',
    );
    expect(result.outputFiles.map((file) => file.name)).toEqual(['partial.txt']);
    // A killed call keeps no half-saved globals: the next call starts from the previous state.
    const next = await sandbox.execute({ sessionDir, code: "print(open('partial.txt').read())" });
    expect(next.logs).toBe('before the loop\n');
  });

  it('stops a CPU hog at the CPU limit', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: 'while True:\n    pass',
      limits: { cpuSeconds: 1, timeoutMs: 10_000 },
    });
    expect(result.killedReason).toBe('cpu');
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(8000);
  });

  it('truncates long output in the middle, keeping its start and its end', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: 'for i in range(20000):\n    print(i)\nraise ValueError("at the end")',
    });
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(1);
    expect(result.killedReason).toBeUndefined();
    expect(result.logs.startsWith('0\n1\n2\n')).toBe(true);
    expect(result.logs).toMatch(/\[… \d+ characters of output omitted …\]/);
    expect(result.logs).toContain('19999\n');
    expect(result.logs.trimEnd().endsWith('ValueError: at the end')).toBe(true);
    expect(result.logs.length).toBeLessThan(config.limits.logChars + 100);
  });

  it('stops huge output: the server reads a bounded amount and the call returns', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)",
    });
    expect(result.killedReason).toBe('output');
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.logs.length).toBeLessThan(config.limits.logChars + 200);
    expect(result.logs).toContain('[sandbox] Execution stopped: the output exceeded 1 MB.');
    expect(result.durationMs).toBeLessThan(config.limits.timeoutMs);
  });

  it('limits the size of one written file', async () => {
    const sessionDir = session();
    const result = await sandbox.execute({
      sessionDir,
      code: "with open('huge.bin', 'wb') as f:\n    f.write(b'z' * (40 * 1024 * 1024))",
      limits: { fileSizeBytes: 8 * 1024 * 1024 },
    });
    expect(result.killedReason).toBe('file_size');
    expect(result.logs).toContain('File too large');
    const kept = await stat(path.join(sessionDir, 'files', 'huge.bin')).catch(() => null);
    expect(kept?.size ?? 0).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('limits the total size of the files written', async () => {
    const sessionDir = session();
    const result = await sandbox.execute({
      sessionDir,
      code: "for n in range(100):\n    with open(f'part{n}.bin', 'wb') as f:\n        f.write(b'z' * (4 * 1024 * 1024))",
    });
    expect(result.killedReason).toBe('disk');
    expect(result.logs).toContain('No space left on device');
    const names = await readdir(path.join(sessionDir, 'files'));
    let total = 0;
    for (const name of names) {
      total += (await stat(path.join(sessionDir, 'files', name))).size;
    }
    expect(total).toBeLessThanOrEqual(config.limits.filesBytes);
    expect(total).toBeGreaterThan(0);
  });

  it('survives code that kills the sandbox’s supervisor', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: "import os, signal\nprint('bye', flush=True)\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(30)",
    });
    expect(result.killedReason).toBe('sandbox');
    expect(result.exitCode).toBeNull();
    expect(result.logs).toContain('bye\n');
    expect(result.durationMs).toBeLessThan(config.limits.timeoutMs);
  });

  it('cannot create user namespaces or gain privileges inside', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import subprocess',
        "print(subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode)",
        "print(subprocess.run(['unshare', '-r', 'id'], capture_output=True).returncode)",
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])",
      ].join('\n'),
    });
    expect(result.logs).toBe('1\n1\n0000000000000000\n');
  });

  it('refuses the system calls that widen the kernel’s attack surface (seccomp)', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import ctypes, errno, os, platform',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'tables = {',
        "    'x86_64': {'ptrace': 101, 'personality': 135, 'keyctl': 250, 'bpf': 321, 'perf_event_open': 298, 'userfaultfd': 323, 'io_uring_setup': 425, 'unshare': 272, 'mount': 165, 'getpid': 39},",
        "    'aarch64': {'ptrace': 117, 'personality': 92, 'keyctl': 219, 'bpf': 280, 'perf_event_open': 241, 'userfaultfd': 282, 'io_uring_setup': 425, 'unshare': 97, 'mount': 40, 'getpid': 172},",
        '}',
        'for name, number in tables[platform.machine()].items():',
        '    ctypes.set_errno(0)',
        '    value = libc.syscall(number, 0, 0, 0, 0, 0)',
        "    print(name, 'pid' if value == os.getpid() else value, errno.errorcode.get(ctypes.get_errno()))",
        "print([line for line in open('/proc/self/status') if line.startswith('Seccomp:')][0].split())",
      ].join('\n'),
    });
    expect(result.logs).toBe(
      [
        'ptrace -1 EPERM',
        'personality -1 EPERM',
        'keyctl -1 EPERM',
        'bpf -1 EPERM',
        'perf_event_open -1 EPERM',
        'userfaultfd -1 EPERM',
        'io_uring_setup -1 EPERM',
        'unshare -1 EPERM',
        'mount -1 EPERM',
        'getpid pid None',
        "['Seccomp:', '2']",
        '',
      ].join('\n'),
    );
  });

  it('stops when the caller aborts, keeping files written so far', async () => {
    const controller = new AbortController();
    const running = sandbox.execute({
      sessionDir: session(),
      code: [
        'import ctypes, time',
        "open('early.txt', 'w').write('e')",
        '# Renames the process (PR_SET_NAME): the host sees the code got this far.',
        "ctypes.CDLL(None).prctl(15, b'cell-ready', 0, 0, 0)",
        'time.sleep(60)',
      ].join('\n'),
      signal: controller.signal,
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const processes = await hostProcesses();
      if (processes.some((p) => p.uid === SANDBOX_UID && p.name === 'cell-ready')) {
        break;
      }
    }
    controller.abort();
    const result = await running;
    expect(result.killedReason).toBe('cancelled');
    expect(result.exitCode).toBeNull();
    expect(result.logs).toBe('[sandbox] Execution cancelled.\n');
    expect(result.outputFiles.map((file) => file.name)).toEqual(['early.txt']);
    expect(result.durationMs).toBeLessThan(config.limits.timeoutMs);
  });
});

/** What the host's listener sends to a client on the host. */
function readFromHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
