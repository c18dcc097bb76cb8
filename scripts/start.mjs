// `npm start`: the one command for a newcomer. Builds dist/ when the sources changed since the
// last build (the first start, a pull), then runs the compiled entry in this process, so a start
// on unchanged sources costs one hash of them instead of a `prisma generate` and tsx.
import { build } from './build.mjs';
import { buildConsole } from './build-console.mjs';

build({ ifStale: true });
// After the build: the console's types come from the generated code it may have refreshed.
await buildConsole();
await import('../dist/src/main.js');
