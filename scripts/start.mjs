// `npm start`: the one command for a newcomer. Builds dist/ when the sources changed since the
// last build (the first start, a pull), then runs the compiled entry in this process, so a start
// on unchanged sources costs one hash of them instead of a `prisma generate` and tsx.
import { build } from './build.mjs';

build({ ifStale: true });
await import('../dist/src/main.js');
