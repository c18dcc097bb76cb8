import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxUnavailableError } from '../../src/sandbox/code-sandbox.js';
import { sandboxFixture } from './sandbox-fixture.js';

/** Asserts the refusal, and that nothing ran: the session directory was never created. */
async function expectRefusal(
  fixture: Awaited<ReturnType<typeof sandboxFixture>>,
  reason: string | RegExp,
) {
  const availability = await fixture.sandbox.available();
  expect(availability.ok).toBe(false);
  const message = availability.ok ? '' : availability.reason;
  expect(message).toMatch(reason);
  const sessionDir = fixture.session();
  const attempt = fixture.sandbox.execute({ sessionDir, code: 'print("ran")' });
  await expect(attempt).rejects.toThrow(SandboxUnavailableError);
  await expect(attempt).rejects.toThrow(message);
  await expect(access(sessionDir)).rejects.toThrow(/ENOENT/);
}

describe('code sandbox: where no sandbox can start, code is refused, never run unsandboxed', () => {
  let fakes: string;

  beforeAll(async () => {
    fakes = await mkdtemp(path.join(tmpdir(), 'sandbox-fakes-'));
    // Readable by the unprivileged uid the sandbox is started as.
    await chmod(fakes, 0o755);
    // What bwrap says on a kernel or container that refuses unprivileged user namespaces.
    await writeFile(
      path.join(fakes, 'bwrap-refused'),
      '#!/bin/sh\necho "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n',
      { mode: 0o755 },
    );
  });

  afterAll(() => rm(fakes, { recursive: true, force: true }));

  it('says bubblewrap is missing', async () => {
    const fixture = await sandboxFixture({ SANDBOX_BWRAP: '/nonexistent/bwrap' });
    await expectRefusal(
      fixture,
      '/nonexistent/bwrap (SANDBOX_BWRAP) is missing or not executable: install the bubblewrap package',
    );
  });

  it('says Python is missing', async () => {
    const fixture = await sandboxFixture({ SANDBOX_PYTHON: '/nonexistent/python3' });
    await expectRefusal(
      fixture,
      '/nonexistent/python3 (SANDBOX_PYTHON) is missing or not executable: install python3',
    );
  });

  it('passes on bubblewrap’s reason when namespaces are refused', async () => {
    const fixture = await sandboxFixture({ SANDBOX_BWRAP: path.join(fakes, 'bwrap-refused') });
    await expectRefusal(
      fixture,
      'the sandbox cannot start here: the sandbox did not start: bwrap: No permissions to creating new namespace',
    );
  });

  it('refuses a "Python" that cannot run the sandbox’s runner', async () => {
    const fixture = await sandboxFixture({ SANDBOX_PYTHON: '/bin/false' });
    await expectRefusal(fixture, /^the sandbox cannot start here: the sandbox did not start/);
  });

  it('is off when SANDBOX_DISABLED=true', async () => {
    const fixture = await sandboxFixture({ SANDBOX_DISABLED: 'true' });
    await expectRefusal(fixture, 'the code sandbox is turned off (SANDBOX_DISABLED=true)');
  });
});
