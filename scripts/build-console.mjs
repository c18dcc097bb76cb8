// Builds the web console (web/ → web/dist) when it is missing or older than its sources, so
// `npm start` and `npm test` serve a current console with no step of their own. `--force`
// builds regardless.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
const web = path.join(root, 'web');
const built = path.join(web, 'dist', 'index.html');

/**
 * The newest modification time under `entry` (or of the file), in ms; 0 if absent.
 * @param {string} entry
 * @returns {number}
 */
function newest(entry) {
  // Generated code is rewritten by every `npm run generate`; its inputs (the schema and the
  // operations) are what count.
  if (path.basename(entry) === 'generated') {
    return 0;
  }
  let info;
  try {
    info = statSync(entry);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) {
    return info.mtimeMs;
  }
  return readdirSync(entry).reduce(
    (latest, name) => Math.max(latest, newest(path.join(entry, name))),
    info.mtimeMs,
  );
}

/**
 * Builds the console when it is missing or older than its sources (always with `force`).
 * Plain JavaScript, so `npm start` calls it in its own process before the server starts.
 * @param {{ force?: boolean }} [options]
 */
export async function buildConsole({ force = false } = {}) {
  const sources = Math.max(
    newest(path.join(web, 'src')),
    newest(path.join(web, 'index.html')),
    newest(path.join(web, 'vite.config.ts')),
    newest(path.join(root, 'schema.graphql')),
    newest(path.join(root, 'package-lock.json')),
  );
  const output = newest(built);
  if (force || output === 0 || output < sources) {
    await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
    process.stderr.write('console built into web/dist\n');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildConsole({ force: process.argv.includes('--force') });
}
