import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * The project's root: the nearest directory above this module holding package.json. This module
 * runs from `src/http/` (tsx) and from `dist/src/http/` (the compiled build), one level apart.
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      return path.resolve(from, '../..');
    }
  }
}

/** Where `npm run console:build` writes the console (web/dist). */
export const CONSOLE_DIST = path.join(projectRoot(import.meta.dirname), 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * What the console may load: its own scripts and styles, this server's GraphQL (HTTP and
 * WebSocket), images from blob URLs it made of file bytes. Nothing from anywhere else.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The console's own routes (web/src/App.tsx), answered with index.html; other paths are 404s. */
const ROUTES = /^\/(?:threads|assistants|files)?(?:\/[^/.]*)?$/;

async function fileAt(file: string): Promise<{ file: string; size: number } | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size } : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built console for GET and HEAD: files from `dist`, and index.html for the
 * console's own routes (e.g. `/threads/thread_…`, so reloads work). Hashed files under /assets are cached for a year; everything else is revalidated, so a
 * new build shows at the next load.
 */
export function createConsoleHandler(dist: string = CONSOLE_DIST) {
  return async function serveConsole(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad path');
      return;
    }
    const requested = path.resolve(dist, `.${path.posix.normalize(relative)}`);
    const inside = requested === dist || requested.startsWith(dist + path.sep);
    let found = inside && requested !== dist ? await fileAt(requested) : null;
    if (!found && ROUTES.test(url.pathname)) {
      found = await fileAt(path.join(dist, 'index.html'));
      if (!found) {
        res
          .writeHead(503, {
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
          })
          .end('The console is not built: run `npm run console:build` (npm start does it).');
        return;
      }
    }
    if (!found) {
      res
        .writeHead(404, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-cache',
        })
        .end('Not found');
      return;
    }
    const immutable = url.pathname.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(found.file)] ?? 'application/octet-stream',
      'content-length': String(found.size),
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file).pipe(res);
  };
}
