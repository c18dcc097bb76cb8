import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (name === 'generated') {
      return [];
    }
    return statSync(path.join(root, relative)).isDirectory()
      ? sourceFiles(relative)
      : relative.endsWith('.ts')
        ? [relative]
        : [];
  });
}

/** Every import of a file: `{ specifier, typeOnly }`. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  return [...source.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gms)].map((match) => ({
    specifier: match[2] ?? '',
    typeOnly: Boolean(match[1]),
  }));
}

function resolvesInto(file: string, specifier: string, dir: string): boolean {
  if (!specifier.startsWith('.')) {
    return false;
  }
  const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
  return target === dir || target.startsWith(`${dir}${path.sep}`);
}

describe('import direction', () => {
  it('src never imports compat, except app.ts which mounts it', () => {
    const offenders = sourceFiles('src').flatMap((file) =>
      file === path.join('src', 'app.ts')
        ? []
        : imports(file)
            .filter(({ specifier }) => resolvesInto(file, specifier, 'compat'))
            .map(({ specifier }) => `${file} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('compat reaches src only through types: no services, no Prisma, no values', () => {
    const offenders = sourceFiles('compat').flatMap((file) =>
      imports(file)
        .filter(({ specifier, typeOnly }) => resolvesInto(file, specifier, 'src') && !typeOnly)
        .map(({ specifier }) => `${file} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('services know nothing of GraphQL, HTTP or the REST shim', () => {
    const offenders = sourceFiles(path.join('src', 'services')).flatMap((file) =>
      imports(file)
        .filter(
          ({ specifier }) =>
            specifier === 'graphql' ||
            specifier.startsWith('graphql-') ||
            resolvesInto(file, specifier, path.join('src', 'graphql')) ||
            resolvesInto(file, specifier, 'compat'),
        )
        .map(({ specifier }) => `${file} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('resolvers reach the database only through services', () => {
    const offenders = sourceFiles(path.join('src', 'graphql')).filter((file) =>
      /\b(ctx|context)\.db\./.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the test would notice a forbidden import', () => {
    expect(resolvesInto('src/services/x.ts', '../../compat/index.js', 'compat')).toBe(true);
    expect(resolvesInto('compat/routes/x.ts', '../../src/services/a.js', 'src')).toBe(true);
    expect(resolvesInto('compat/routes/x.ts', '../serializers.js', 'src')).toBe(false);
  });
});
