import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** Every import and re-export of a file: `{ specifier, typeOnly }`. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  return importsIn(readFileSync(path.join(root, file), 'utf8'));
}

function importsIn(source: string): { specifier: string; typeOnly: boolean }[] {
  const statements = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?'([^']+)'/gms;
  return [...source.matchAll(statements)].map((match) => ({
    specifier: match[2] ?? '',
    typeOnly: Boolean(match[1]),
  }));
}

/** The repository file a relative specifier names (`./a.js` is `a.ts`), or null for a package. */
function resolveImport(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    return null;
  }
  const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
  const source = target.replace(/\.js$/, '.ts');
  return existsSync(path.join(root, source)) ? source : target;
}

/**
 * Every import cycle of `graph` (file → files it imports), each as the files of one strongly
 * connected component (Tarjan), a file importing itself included.
 */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          component.push(member);
        }
      } while (member !== undefined && member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
        cycles.push(component.sort());
      }
    }
  };
  for (const file of graph.keys()) {
    if (!index.has(file)) {
      visit(file);
    }
  }
  return cycles;
}

function resolvesInto(file: string, specifier: string, dir: string): boolean {
  if (!specifier.startsWith('.')) {
    return false;
  }
  const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
  return target === dir || target.startsWith(`${dir}${path.sep}`);
}

/**
 * Whether `specifier` names a module that imports nothing (the stored-text check): a value
 * import of it cannot pull the server in behind it.
 */
function selfContained(file: string, specifier: string): boolean {
  const target = resolveImport(file, specifier);
  return target !== null && existsSync(path.join(root, target)) && imports(target).length === 0;
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

  it('compat reaches src only through types and self-contained helpers: no services, no Prisma', () => {
    const offenders = sourceFiles('compat').flatMap((file) =>
      imports(file)
        .filter(
          ({ specifier, typeOnly }) =>
            resolvesInto(file, specifier, 'src') && !typeOnly && !selfContained(file, specifier),
        )
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
    expect(selfContained('compat/x.ts', '../src/storable-text.js')).toBe(true);
    expect(selfContained('compat/x.ts', '../src/context.js')).toBe(false);
  });
});

describe('import cycles', () => {
  it('no file reaches itself through imports, type-only imports included', () => {
    const files = ['src', 'compat', 'scripts', 'bench'].flatMap((dir) => sourceFiles(dir));
    const graph = new Map(
      files.map((file) => [
        file,
        imports(file).flatMap(({ specifier }) => resolveImport(file, specifier) ?? []),
      ]),
    );
    expect(importCycles(graph)).toEqual([]);
  });

  it('the test would notice a cycle, however it is imported', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
    expect(
      importsIn(
        [
          "import type { A } from './a.js';",
          "import { b,\n  c } from '../b.js';",
          "export { d } from './d.js';",
          "export type * from './e.js';",
          "import './f.js';",
        ].join('\n'),
      ),
    ).toEqual([
      { specifier: './a.js', typeOnly: true },
      { specifier: '../b.js', typeOnly: false },
      { specifier: './d.js', typeOnly: false },
      { specifier: './e.js', typeOnly: true },
      { specifier: './f.js', typeOnly: false },
    ]);
    expect(resolveImport('src/services/runs/runs.ts', '../../db/db.js')).toBe('src/db/db.ts');
  });
});

const RUN_STORE = path.join('src', 'services', 'runs', 'store');
const STATUS_SQL = path.join(RUN_STORE, 'status-sql.ts');

/** Statements and Prisma calls in `source` that write runs, run_steps or messages. */
function runWrites(source: string): string[] {
  const sql = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:runs|run_steps|messages)\b/gi;
  const prisma =
    /\.(?:run|runStep|message)\.(?:create|createMany|update|updateMany|upsert|delete|deleteMany)\s*\(/g;
  return [...source.matchAll(sql), ...source.matchAll(prisma)].map((match) => match[0]);
}

/**
 * The SET lists of `UPDATE runs` statements in `source` that write `status` themselves rather
 * than through status-sql.ts's move (which the statement interpolates as `${move.set}`).
 */
function runStatusWrites(source: string): string[] {
  const updates = /\bUPDATE\s+runs\b(?:\s+AS\s+\w+)?\s+SET\b([\s\S]*?)(?:\bWHERE\b|\bFROM\b|`)/gi;
  return [...source.matchAll(updates)].flatMap((match) =>
    /(?:^|[\s,(])status\s*=/.test(match[1] ?? '') ? [match[0]] : [],
  );
}

describe('the run store', () => {
  it('is the only module that writes runs, run steps and messages', () => {
    const offenders = sourceFiles('src')
      .filter((file) => !file.startsWith(`${RUN_STORE}${path.sep}`))
      .flatMap((file) =>
        runWrites(readFileSync(path.join(root, file), 'utf8')).map((write) => `${file}: ${write}`),
      );
    expect(offenders).toEqual([]);
  });

  it('writes a run status only through the transition table (status-sql.ts)', () => {
    const offenders = sourceFiles('src')
      .filter((file) => file !== STATUS_SQL)
      .flatMap((file) =>
        runStatusWrites(readFileSync(path.join(root, file), 'utf8')).map(
          (write) => `${file}: ${write}`,
        ),
      );
    expect(offenders).toEqual([]);
  });

  it('the tests would notice a write elsewhere', () => {
    expect(runWrites('tx.run.updateMany({ where }); sql`INSERT INTO run_steps (id)`')).toEqual([
      'INSERT INTO run_steps',
      '.run.updateMany(',
    ]);
    expect(runWrites('UPDATE runs_archive SET x = 1; db.runStep.findMany()')).toEqual([]);
    expect(
      runStatusWrites("sql`UPDATE runs SET status = 'queued', x = 1 WHERE id = 1`"),
    ).toHaveLength(1);
    expect(
      runStatusWrites(`sql\`UPDATE runs AS r SET a = 1, status = \${to} FROM x\``),
    ).toHaveLength(1);
    expect(
      runStatusWrites(`sql\`UPDATE runs SET \${move.set}, event_seq = 1 WHERE id = 1\``),
    ).toEqual([]);
    expect(runStatusWrites('sql`UPDATE runs SET heartbeat_at = NULL WHERE status = 1`')).toEqual(
      [],
    );
  });
});

/**
 * Statements and Prisma calls that write `tables` (SQL names) or `models` (Prisma's), as a
 * function of a file's source.
 */
function writesOf(tables: string[], models: string[]): (source: string) => string[] {
  const sql = new RegExp(
    `\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(?:${tables.join('|')})\\b`,
    'gi',
  );
  const prisma = new RegExp(
    `\\.(?:${models.join('|')})\\.(?:create|createMany|update|updateMany|upsert|delete|deleteMany)\\s*\\(`,
    'g',
  );
  return (source) => [...source.matchAll(sql), ...source.matchAll(prisma)].map((match) => match[0]);
}

/** `file: write` for every write matched by `writes` in src outside the store directory. */
function writesOutside(store: string, writes: (source: string) => string[]): string[] {
  return sourceFiles('src')
    .filter((file) => !file.startsWith(`${store}${path.sep}`))
    .flatMap((file) =>
      writes(readFileSync(path.join(root, file), 'utf8')).map((write) => `${file}: ${write}`),
    );
}

const RESPONSE_STORE = path.join('src', 'services', 'responses', 'store');

/** Statements and Prisma calls in `source` that write responses, their items or their events. */
const responseWrites = writesOf(
  ['responses', 'response_items', 'response_events'],
  ['response', 'responseItem', 'responseEvent'],
);

describe('the response store', () => {
  it('is the only module that writes responses, their items and their events', () => {
    expect(writesOutside(RESPONSE_STORE, responseWrites)).toEqual([]);
  });

  it('the test would notice a write elsewhere', () => {
    expect(
      responseWrites('db.responseItem.deleteMany({}); sql`UPDATE responses SET x = 1`'),
    ).toEqual(['UPDATE responses', '.responseItem.deleteMany(']);
    expect(responseWrites('db.response.findFirst(); sql`UPDATE responses_archive SET x`')).toEqual(
      [],
    );
  });
});

/**
 * Conversations have their own store: responses append to them (with their end, in one
 * transaction) through it, as the Conversations API does.
 */
const CONVERSATION_STORE = path.join('src', 'services', 'conversations', 'store');

const conversationWrites = writesOf(
  ['conversations', 'conversation_items'],
  ['conversation', 'conversationItem'],
);

describe('the conversation store', () => {
  it('is the only module that writes conversations and their items', () => {
    expect(writesOutside(CONVERSATION_STORE, conversationWrites)).toEqual([]);
  });

  it('the test would notice a write elsewhere', () => {
    expect(
      conversationWrites(
        'db.conversationItem.createMany({}); sql`INSERT INTO conversation_items (id)`',
      ),
    ).toEqual(['INSERT INTO conversation_items', '.conversationItem.createMany(']);
    expect(
      conversationWrites('db.conversation.findMany(); sql`UPDATE conversations_log SET x`'),
    ).toEqual([]);
  });
});

/**
 * Containers have their own store: the API, the code_interpreter of responses and the expiry
 * sweep all write containers and their files through it.
 */
const CONTAINER_STORE = path.join('src', 'services', 'containers', 'store');

const containerWrites = writesOf(['containers', 'container_files'], ['container', 'containerFile']);

describe('the container store', () => {
  it('is the only module that writes containers and their files', () => {
    expect(writesOutside(CONTAINER_STORE, containerWrites)).toEqual([]);
  });

  it('the test would notice a write elsewhere', () => {
    expect(
      containerWrites('db.containerFile.updateMany({}); sql`DELETE FROM container_files WHERE`'),
    ).toEqual(['DELETE FROM container_files', '.containerFile.updateMany(']);
    expect(containerWrites('db.container.findMany(); sql`UPDATE containers_log SET x`')).toEqual(
      [],
    );
  });
});
