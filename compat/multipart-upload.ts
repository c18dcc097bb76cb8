import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { FileUpload } from '../src/graphql/file-upload.js';
import { RestError } from './errors.js';

/** The file part of an upload, spooled to a temporary file. */
export class SpooledUpload implements FileUpload {
  readonly #path: string;

  constructor(
    readonly name: string,
    readonly type: string,
    spoolPath: string,
  ) {
    this.#path = spoolPath;
  }

  /** Opens the spool only when first read, so an upload refused unread holds no descriptor. */
  stream(): Readable {
    const spool = this.#path;
    return Readable.from(
      (async function* () {
        yield* createReadStream(spool);
      })(),
    );
  }
}

export interface MultipartUpload {
  /** Text fields by name (the last value wins). */
  fields: Map<string, string>;
  /** The part named `fileField`, or null when the request has none. */
  file: SpooledUpload | null;
  /** Text fields whose name is `fileField` (a value where a file belongs). */
  textFileField: boolean;
  /** Removes the spooled file; call when done with `file`. */
  cleanup(): Promise<void>;
}

/** Passes at most `limit` bytes and silently drops the rest (the part keeps being read). */
class KeepAtMost extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const room = this.limit - this.seen;
    this.seen += chunk.length;
    callback(null, room <= 0 ? undefined : room >= chunk.length ? chunk : chunk.subarray(0, room));
  }
}

export const NOT_MULTIPART = (type: string) =>
  `Invalid Content-Type header (${type || 'none'}), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')`;

/**
 * Reads a multipart/form-data body. Clients send fields in any order (the openai SDK sends
 * `file` before `purpose`), and the operation needs every field, so the file part is spooled to
 * a file in `spoolDir` (never memory) while the rest is read, and streamed from there. At most
 * `maxBytes + 1` bytes are kept: enough for storage to refuse an oversized file with the usual
 * error, without filling the disk.
 */
export async function readMultipartUpload(
  req: IncomingMessage,
  options: { fileField: string; maxBytes: number; spoolDir: string },
): Promise<MultipartUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw new RestError(400, NOT_MULTIPART(type));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fields: 32, fieldSize: 64 * 1024 } });
  } catch (error) {
    throw new RestError(400, `Invalid multipart body: ${(error as Error).message}`);
  }
  const fields = new Map<string, string>();
  let spoolPath: string | null = null;
  let file: SpooledUpload | null = null;
  let textFileField = false;
  const spools: Promise<void>[] = [];
  const cleanup = async () => {
    if (spoolPath) {
      await rm(spoolPath, { force: true });
    }
  };

  parser.on('field', (name, value) => {
    if (name === options.fileField) {
      textFileField = true;
    } else {
      fields.set(name, value);
    }
  });
  parser.on('file', (name, stream, info) => {
    if (name !== options.fileField || spoolPath !== null) {
      // Another file part (or a second `file`): not part of the request; read past it.
      stream.resume();
      return;
    }
    const spool = path.join(options.spoolDir, `assistants-upload-${randomUUID()}`);
    spoolPath = spool;
    file = new SpooledUpload(info.filename ?? '', info.mimeType, spool);
    // The part waits (backpressure) until the directory exists; made here, not at start, so a
    // directory removed while the server runs comes back.
    spools.push(
      mkdir(options.spoolDir, { recursive: true }).then(() =>
        pipeline(
          stream,
          new KeepAtMost(options.maxBytes + 1),
          createWriteStream(spool, { flags: 'wx' }),
        ),
      ),
    );
  });

  try {
    await pipeline(req, parser);
    await Promise.all(spools);
  } catch (error) {
    await Promise.allSettled(spools);
    await cleanup();
    throw new RestError(400, `Invalid multipart body: ${(error as Error).message}`);
  }
  return { fields, file, textFileField, cleanup };
}

/** 400 for a text field the route does not know (OpenAI's `unknown_parameter`). */
export function rejectUnknownFields(upload: MultipartUpload, known: ReadonlySet<string>): void {
  for (const name of upload.fields.keys()) {
    if (!known.has(name)) {
      throw new RestError(400, `Unrecognized request argument supplied: ${name}`, {
        param: name,
        code: 'unknown_parameter',
      });
    }
  }
}

/** The upload's file part; 400 when it is missing or was sent as a text field. */
export function requireFile(upload: MultipartUpload, fileField: string): SpooledUpload {
  if (upload.file) {
    return upload.file;
  }
  if (upload.textFileField) {
    throw new RestError(
      400,
      `Invalid '${fileField}': expected a file (a multipart part with a filename), got a text field.`,
      { param: fileField, code: 'invalid_type' },
    );
  }
  throw missingParameter(fileField);
}

export function missingParameter(param: string): RestError {
  return new RestError(400, `Missing required parameter: '${param}'.`, {
    param,
    code: 'missing_required_parameter',
  });
}
