import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { parseEnv } from '../../src/env.js';
import { BubblewrapSandbox } from '../../src/sandbox/bwrap-sandbox.js';
import type { SandboxLimits } from '../../src/sandbox/code-sandbox.js';
import { type SandboxConfig, sandboxConfigFromEnv } from '../../src/sandbox/sandbox-config.js';

const workDirs: string[] = [];
// One file-level hook, so fixtures made inside a test are removed too.
afterAll(() => Promise.all(workDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/**
 * A real bubblewrap sandbox configured through the environment parser, with its sessions in a
 * fresh directory removed after the file's tests.
 */
export async function sandboxFixture(
  env: Record<string, string> = {},
  overrides: { limits?: Partial<SandboxLimits>; config?: Partial<SandboxConfig> } = {},
) {
  const workDir = await mkdtemp(path.join(tmpdir(), 'sandbox-test-'));
  workDirs.push(workDir);
  const base = sandboxConfigFromEnv(
    parseEnv({ SANDBOX_WORK_DIR: workDir, SANDBOX_TIMEOUT_MS: '15000', ...env }),
  );
  const config: SandboxConfig = {
    ...base,
    ...overrides.config,
    limits: { ...base.limits, ...overrides.limits },
  };
  let sessions = 0;
  return {
    sandbox: new BubblewrapSandbox(config),
    config,
    workDir,
    /** A new session directory path (created by the first call). */
    session: () => path.join(workDir, `session-${++sessions}`),
  };
}

/** Checks a PNG's signature and its IHDR chunk; returns the image size. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) {
    throw new Error('not a PNG signature');
  }
  if (bytes.readUInt32BE(8) !== 13 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    throw new Error('no IHDR chunk first');
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
