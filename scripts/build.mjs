// The compiled build: generated code (Prisma client, compat's operation types), then tsc into
// dist/, then the files read at run time beside the JavaScript that reads them (migrations,
// the sandbox's Python). `--if-stale` does nothing when dist/ was built from exactly these
// inputs, so `npm start` costs a hash of the sources, not a build, on every start.
//
// Plain JavaScript on purpose: it runs before anything is compiled, and loading tsx for it
// would cost more than the check itself.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const buildStamp = path.join(dist, '.build-stamp');
const generateStamp = path.join(dist, '.generate-stamp');

/** What `npm run generate` reads. */
const GENERATE_INPUTS = [
  'prisma/schema.prisma',
  'schema.graphql',
  'codegen.ts',
  'compat/operations',
  'package-lock.json',
];
/** Everything else the compiled output depends on. */
const BUILD_INPUTS = [
  ...GENERATE_INPUTS,
  'src',
  'compat',
  'prisma/migrations',
  'tsconfig.json',
  'tsconfig.build.json',
];
/** Read at run time relative to the module that reads them: copied to the same place in dist/. */
const RUNTIME_ASSETS = ['prisma/migrations', 'src/sandbox/runner'];
const GENERATED = ['src/generated/prisma/client.ts', 'compat/generated/operations.ts'];

function filesUnder(absolute) {
  return readdirSync(absolute, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}generated${path.sep}`));
}

function hashOf(inputs) {
  const hash = createHash('sha256');
  const files = inputs.flatMap((input) => {
    const absolute = path.join(root, input);
    if (!existsSync(absolute)) {
      return [];
    }
    return statSync(absolute).isDirectory() ? filesUnder(absolute) : [absolute];
  });
  for (const file of [...new Set(files)].sort()) {
    hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function readStamp(file) {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)})`);
  }
}

/** Builds dist/ (or, with `ifStale`, only when its inputs changed). Returns whether it built. */
export function build({ ifStale = false } = {}) {
  const buildHash = hashOf(BUILD_INPUTS);
  if (ifStale && readStamp(buildStamp) === buildHash) {
    return false;
  }
  mkdirSync(dist, { recursive: true });
  const generateHash = hashOf(GENERATE_INPUTS);
  const generatedPresent = GENERATED.every((file) => existsSync(path.join(root, file)));
  if (!generatedPresent || readStamp(generateStamp) !== generateHash) {
    run('npm', ['run', 'generate', '--silent']);
    writeFileSync(generateStamp, `${generateHash}\n`);
  }
  run(process.execPath, [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
  ]);
  for (const asset of RUNTIME_ASSETS) {
    const target = path.join(dist, asset);
    rmSync(target, { recursive: true, force: true });
    cpSync(path.join(root, asset), target, { recursive: true });
  }
  writeFileSync(buildStamp, `${buildHash}\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build({ ifStale: process.argv.includes('--if-stale') });
}
