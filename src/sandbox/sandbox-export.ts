import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { FIGURE_MAX_BYTES, MAX_FIGURES, MAX_FILES, STATE_MAX_BYTES } from './bwrap-args.js';
import type { SandboxImage, SandboxOutputFile } from './code-sandbox.js';
import { FrameError, type FrameHeader, type FrameSink, readFrames } from './frames.js';
import { IMAGE_SIGNATURE_BYTES, imageType } from './image-type.js';
import {
  deleteFromWorkspace,
  isSafeRelativeName,
  moveIntoWorkspace,
  STAGING_PREFIX,
  sessionPaths,
} from './session-dir.js';

/** What the runner says about the call (its own word: used for reporting only). */
const resultFrame = z.object({
  kind: z.literal('result'),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().max(32).optional(),
  reason: z.string().max(32).optional(),
  error: z.string().max(200).optional(),
  limit: z.string().max(32).optional(),
  notes: z.array(z.string().max(500)).max(20).optional(),
});
export type RunnerResult = z.infer<typeof resultFrame>;

const namedFrame = z.object({ name: z.string().refine(isSafeRelativeName, 'unsafe file name') });

interface StagedFile {
  name: string;
  staged: string;
  bytes: number;
  head: Buffer;
}

/** An export that arrived completely, staged inside the session directory. */
export interface ReceivedExport {
  started: boolean;
  files: StagedFile[];
  deleted: string[];
  state?: string;
  figures: { staged: string; bytes: number }[];
  result?: RunnerResult;
}

function fileSink(target: string, limit: number, onDone: (bytes: number, head: Buffer) => void) {
  const stream: WriteStream = createWriteStream(target, { flags: 'wx', mode: 0o600 });
  let bytes = 0;
  let head = Buffer.alloc(0);
  const sink: FrameSink = {
    write: (chunk) =>
      new Promise((resolve, reject) => {
        bytes += chunk.length;
        if (bytes > limit) {
          reject(new FrameError('export exceeds its size limit'));
          return;
        }
        if (head.length < IMAGE_SIGNATURE_BYTES) {
          head = Buffer.concat([head, chunk.subarray(0, IMAGE_SIGNATURE_BYTES - head.length)]);
        }
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    end: () =>
      new Promise((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
        onDone(bytes, head);
      }),
  };
  return { sink, stream };
}

/**
 * Receives the runner's export (fd 3) into a staging directory, checking every name and size.
 * Resolves with the export only if it arrived whole (its `end` frame); otherwise with what was
 * learnt (`started`, `result`) and nothing to apply. The staging directory is the caller's to
 * remove (`discardStaging`).
 */
export async function receiveExport(
  stream: AsyncIterable<Buffer>,
  sessionDir: string,
  filesBytes: number,
): Promise<{ received: ReceivedExport; complete: boolean; staging: string; error?: Error }> {
  const staging = await mkdtemp(path.join(sessionDir, STAGING_PREFIX));
  const received: ReceivedExport = { started: false, files: [], deleted: [], figures: [] };
  const open: WriteStream[] = [];
  let complete = false;
  let fileBytes = 0;
  let counter = 0;
  const stagedPath = () => path.join(staging, String(counter++));
  const done: FrameSink = { write: () => undefined, end: () => undefined };

  const onFrame = (header: FrameHeader): FrameSink => {
    if (complete) {
      throw new FrameError('frame after the end frame');
    }
    switch (header.kind) {
      case 'started':
        received.started = true;
        return done;
      case 'end':
        complete = true;
        return done;
      case 'result':
        received.result = resultFrame.parse(header);
        return done;
      case 'deleted':
        received.deleted.push(namedFrame.parse(header).name);
        return done;
      case 'file': {
        const { name } = namedFrame.parse(header);
        fileBytes += header.size;
        if (received.files.length >= MAX_FILES || fileBytes > filesBytes) {
          throw new FrameError('export exceeds the file limits');
        }
        const staged = stagedPath();
        const { sink, stream: file } = fileSink(staged, header.size, (bytes, head) =>
          received.files.push({ name, staged, bytes, head }),
        );
        open.push(file);
        return sink;
      }
      case 'state': {
        const staged = stagedPath();
        // The pickle wraps the values (at most STATE_MAX_BYTES) with names and sources.
        const { sink, stream: file } = fileSink(staged, STATE_MAX_BYTES * 2, () => {
          received.state = staged;
        });
        open.push(file);
        return sink;
      }
      case 'figure': {
        if (received.figures.length >= MAX_FIGURES) {
          throw new FrameError('too many figures');
        }
        const staged = stagedPath();
        const { sink, stream: file } = fileSink(staged, FIGURE_MAX_BYTES, (bytes) =>
          received.figures.push({ staged, bytes }),
        );
        open.push(file);
        return sink;
      }
      default:
        throw new FrameError(`unknown frame kind ${JSON.stringify(header.kind).slice(0, 40)}`);
    }
  };

  try {
    await readFrames(stream, onFrame);
    return { received, complete, staging };
  } catch (error) {
    for (const file of open) {
      file.destroy();
    }
    const reason = error instanceof Error ? error : new Error(String(error));
    return { received, complete: false, staging, error: reason };
  }
}

export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/**
 * Applies a complete export to the session: deletions, then changed files, the new state and
 * the figures. Returns what the caller reports.
 */
export async function applyExport(
  sessionDir: string,
  received: ReceivedExport,
): Promise<{ outputFiles: SandboxOutputFile[]; images: SandboxImage[] }> {
  const paths = sessionPaths(sessionDir);
  for (const name of received.deleted) {
    await deleteFromWorkspace(sessionDir, name);
  }
  const outputFiles: SandboxOutputFile[] = [];
  for (const file of received.files) {
    const target = await moveIntoWorkspace(sessionDir, file.staged, file.name);
    const type = imageType(file.head);
    outputFiles.push({
      name: file.name,
      path: target,
      bytes: file.bytes,
      isImage: type !== undefined,
      ...(type ? { imageType: type } : {}),
    });
  }
  if (received.state) {
    await rename(received.state, paths.state);
  }
  const images: SandboxImage[] = [];
  for (const [index, figure] of received.figures.entries()) {
    const target = path.join(paths.figures, `figure-${index + 1}.png`);
    await rename(figure.staged, target);
    images.push({ path: target, bytes: figure.bytes });
  }
  return { outputFiles, images };
}
