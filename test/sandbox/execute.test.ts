import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/sandbox/code-sandbox.js';
import { pngSize, sandboxFixture } from './sandbox-fixture.js';

const { sandbox, session } = await sandboxFixture();

describe('code sandbox: running code', () => {
  it('is available here, with Debian Python and its data packages', async () => {
    const availability = await sandbox.available();
    expect(availability).toEqual({
      ok: true,
      pythonVersion: expect.stringMatching(/^3\.\d+\.\d+$/),
      missingPackages: [],
    });
  });

  it('computes a value and prints it; a trailing expression is shown as in a notebook', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: 'import math\nvalue = sum(i * i for i in range(10))\nprint("sum:", value)\nmath.sqrt(value)',
    });
    expect(result).toMatchObject({
      logs: 'sum: 285\n16.881943016134134\n',
      truncated: false,
      exitCode: 0,
      timedOut: false,
      outputFiles: [],
      images: [],
    });
    expect(result.killedReason).toBeUndefined();
  });

  it('writes a CSV with pandas and a PNG chart with matplotlib, returned as real files', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import pandas as pd',
        'import matplotlib.pyplot as plt',
        "df = pd.DataFrame({'x': [1, 2, 3], 'y': [2, 4, 9]})",
        "df.to_csv('/mnt/data/table.csv', index=False)",
        'fig, ax = plt.subplots(figsize=(4, 3), dpi=100)',
        "ax.plot(df['x'], df['y'])",
        "fig.savefig('chart.png')",
        "print(df['y'].sum())",
      ].join('\n'),
    });
    expect(result.logs).toBe('15\n');
    expect(result.exitCode).toBe(0);
    const byName = Object.fromEntries(result.outputFiles.map((file) => [file.name, file]));
    expect(Object.keys(byName).sort()).toEqual(['chart.png', 'table.csv']);
    expect(byName['table.csv']).toMatchObject({ isImage: false, bytes: 16 });
    expect(await readFile(byName['table.csv']?.path ?? '', 'utf8')).toBe('x,y\n1,2\n2,4\n3,9\n');
    const png = await readFile(byName['chart.png']?.path ?? '');
    expect(byName['chart.png']).toMatchObject({
      isImage: true,
      imageType: 'png',
      bytes: png.length,
    });
    expect(pngSize(png)).toEqual({ width: 400, height: 300 });
    // The figure left open is also shown, as a notebook does.
    expect(result.images).toHaveLength(1);
    expect(pngSize(await readFile(result.images[0]?.path ?? '')).width).toBeGreaterThan(0);
  });

  it('shows figures with plt.show() as PNG images without warnings', async () => {
    const result = await sandbox.execute({
      sessionDir: session(),
      code: [
        'import matplotlib.pyplot as plt',
        'for n in range(2):',
        '    plt.figure()',
        '    plt.bar(["a", "b"], [n, n + 1])',
        '    plt.show()',
        'print("done")',
      ].join('\n'),
    });
    expect(result.logs).toBe('done\n');
    expect(result.outputFiles).toEqual([]);
    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      const bytes = await readFile(image.path);
      expect(bytes.length).toBe(image.bytes);
      expect(pngSize(bytes).height).toBeGreaterThan(0);
    }
  });

  it('keeps variables, imports, functions, classes and files across calls of one session', async () => {
    const sessionDir = session();
    const first = await sandbox.execute({
      sessionDir,
      code: [
        'import pandas as pd',
        'import numpy as np',
        'total = 41',
        "frame = pd.DataFrame({'a': np.arange(3)})",
        'def bump(n):',
        '    return n + 1',
        'class Box:',
        '    def __init__(self, v):',
        '        self.v = v',
        'box = Box(7)',
        "with open('notes.txt', 'w') as f:",
        "    f.write('kept')",
      ].join('\n'),
    });
    expect(first.exitCode).toBe(0);
    expect(first.outputFiles.map((file) => file.name)).toEqual(['notes.txt']);

    const second = await sandbox.execute({
      sessionDir,
      code: "print(bump(total), frame['a'].sum(), box.v, np.pi > 3, open('notes.txt').read())",
    });
    expect(second.logs).toBe('42 3 7 True kept\n');
    // Nothing changed in /mnt/data this time.
    expect(second.outputFiles).toEqual([]);
  });

  it('keeps globals defined before an exception, and says which names could not be kept', async () => {
    const sessionDir = session();
    const first = await sandbox.execute({
      sessionDir,
      code: 'kept = 5\nsquare = lambda x: x * x\nhandle = open("/tmp/scratch", "w")\n1 / 0',
    });
    expect(first.exitCode).toBe(1);
    expect(first.killedReason).toBeUndefined();
    expect(first.logs).toContain('ZeroDivisionError: division by zero');
    expect(first.logs).toContain('File "<cell>", line 4');

    const second = await sandbox.execute({ sessionDir, code: 'print(kept)\nhandle.write("x")' });
    expect(second.exitCode).toBe(1);
    expect(second.logs).toContain('5\n');
    expect(second.logs).toContain("NameError: name 'handle' is not defined");
    expect(second.logs).toContain("'handle' was defined in an earlier call but could not be");
  });

  it('places input files under sanitized names and reports only what the code changed', async () => {
    const sessionDir = session();
    const result = await sandbox.execute({
      sessionDir,
      inputFiles: [
        { name: 'data.csv', bytes: Buffer.from('n\n1\n2\n') },
        { name: '../../etc/evil.txt', bytes: Buffer.from('inside') },
        { name: 'keep.txt', path: path.resolve('package.json') },
      ],
      code: [
        'import os, pandas as pd',
        "print(sorted(os.listdir('/mnt/data')))",
        "print(pd.read_csv('data.csv')['n'].sum())",
        "pd.read_csv('data.csv').assign(m=lambda d: d.n * 2).to_csv('data.csv', index=False)",
        "os.makedirs('out', exist_ok=True)",
        "written = open('out/report.txt', 'w').write('r')",
      ].join('\n'),
    });
    expect(result.logs).toBe("['.._.._etc_evil.txt', 'data.csv', 'keep.txt']\n3\n");
    expect(result.outputFiles.map((file) => file.name).sort()).toEqual([
      'data.csv',
      'out/report.txt',
    ]);
    const files = path.join(sessionDir, 'files');
    expect(await readFile(path.join(files, 'data.csv'), 'utf8')).toBe('n,m\n1,2\n2,4\n');
    expect(await readFile(path.join(files, 'out', 'report.txt'), 'utf8')).toBe('r');

    const second = await sandbox.execute({
      sessionDir,
      code: "import os\nos.remove('keep.txt')\nprint(sorted(os.listdir('.')))",
    });
    expect(second.logs).toBe("['.._.._etc_evil.txt', 'data.csv', 'out']\n");
    expect((await readdir(files)).sort()).toEqual(['.._.._etc_evil.txt', 'data.csv', 'out']);
  });

  it('places a file with an id once per session, so the code’s edits to it are kept', async () => {
    const sessionDir = session();
    const original = { id: 'file-abc', name: 'counts.txt', bytes: Buffer.from('1') };
    const first = await sandbox.execute({
      sessionDir,
      inputFiles: [original],
      code: "n = int(open('counts.txt').read())\nopen('counts.txt', 'w').write(str(n + 1))",
    });
    expect(first.outputFiles.map((file) => file.name)).toEqual(['counts.txt']);
    const second = await sandbox.execute({
      sessionDir,
      inputFiles: [original, { id: 'file-def', name: 'more.txt', bytes: Buffer.from('m') }],
      code: "print(open('counts.txt').read(), open('more.txt').read())",
    });
    expect(second.logs).toBe('2 m\n');
  });

  it('refuses limits that are not positive integers, before running anything', async () => {
    const attempt = sandbox.execute({
      sessionDir: session(),
      code: 'print(1)',
      limits: { timeoutMs: 1.5 },
    });
    await expect(attempt).rejects.toThrow(SandboxError);
    await expect(attempt).rejects.toThrow('limit timeoutMs must be a positive integer, not 1.5');
  });

  it('reports a syntax error as the code’s failure, not the sandbox’s', async () => {
    const result = await sandbox.execute({ sessionDir: session(), code: 'def broken(:\n  pass' });
    expect(result.exitCode).toBe(1);
    expect(result.logs).toContain('SyntaxError');
    expect(result.killedReason).toBeUndefined();
  });

  it('runs calls on one session one at a time, in order', async () => {
    const sessionDir = session();
    const calls = ['n = 1', 'n += 1', 'n *= 10', 'print(n)'].map((code) =>
      sandbox.execute({ sessionDir, code }),
    );
    const results = await Promise.all(calls);
    expect(results[3]?.logs).toBe('20\n');
  });

  it('keeps only server-written regular files in the session directory', async () => {
    const sessionDir = session();
    await sandbox.execute({
      sessionDir,
      code: "import os\nos.symlink('/etc/passwd', 'link')\nos.mkfifo('pipe')\nopen('plain', 'w').write('p')",
    });
    const files = path.join(sessionDir, 'files');
    expect(await readdir(files)).toEqual(['plain']);
    expect((await lstat(path.join(files, 'plain'))).isFile()).toBe(true);
  });
});
