import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { InvalidRequestError } from '../errors.js';
import type { FileUpload } from './file-upload.js';

/**
 * Yoga parses a multipart request (GraphQL multipart request spec) with `request.formData()`,
 * which reads every file whole into memory before the operation starts and, by default, with
 * no size limit. This parser instead hands the operation to yoga as soon as the first file part
 * begins (the spec orders `operations`, `map`, then files) and lets the resolver stream that
 * part straight to storage, where FILE_MAX_BYTES is enforced while reading. One file per
 * request: further file parts are skipped.
 */
export function useStreamingUploads(): Plugin<
  Record<string, unknown>,
  { req?: IncomingMessage; res?: ServerResponse }
> {
  return {
    onRequestParse({ request, serverContext, setRequestParser }) {
      const { req, res } = serverContext;
      const type = request.headers.get('content-type') ?? '';
      // Without the Node request (yoga.fetch in process) yoga's own parser is used.
      if (!req || !res || request.method !== 'POST' || !/^multipart\/form-data/i.test(type)) {
        return;
      }
      setRequestParser(() => parseMultipart(req, res));
    },
  };
}

class StreamedUpload implements FileUpload {
  readonly #body: Readable;

  constructor(
    readonly name: string,
    readonly type: string,
    body: Readable,
  ) {
    this.#body = body;
  }

  stream(): Readable {
    return this.#body;
  }
}

function badRequest(message: string) {
  return createGraphQLError(message, {
    extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
  });
}

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`Multipart form field "${name}" must be a valid JSON string`);
  }
}

/** Sets `value` at a dotted path such as `variables.file` or `0.variables.files.1`. */
function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const [index, key] of keys.entries()) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      return;
    }
    if (typeof current !== 'object' || current === null) {
      throw badRequest(`Multipart "map" path "${path}" does not point into "operations"`);
    }
    const holder = current as Record<string, unknown>;
    if (index === keys.length - 1) {
      holder[key] = value;
    } else {
      current = holder[key];
    }
  }
}

function parseMultipart(req: IncomingMessage, res: ServerResponse): Promise<GraphQLParams> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1 } });
    } catch (error) {
      reject(badRequest(`POST body sent invalid multipart data: ${(error as Error).message}`));
      return;
    }
    let operations: unknown;
    let map: Record<string, unknown> = {};
    let part: Readable | null = null;
    let settled = false;
    const fail = (error: unknown) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    };

    parser.on('field', (name, value, info) => {
      try {
        if (info.valueTruncated) {
          throw badRequest(`Multipart form field "${name}" is too large`);
        }
        if (name === 'operations') {
          operations = parseJson(name, value);
        } else if (name === 'map') {
          const parsed = parseJson(name, value);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw badRequest('Multipart form field "map" must be a JSON object');
          }
          map = parsed as Record<string, unknown>;
        }
      } catch (error) {
        fail(error);
      }
    });

    parser.on('file', (name, stream, info) => {
      const paths = map[name];
      if (settled || operations === undefined || !Array.isArray(paths)) {
        stream.resume();
        fail(badRequest(`Multipart file "${name}" must follow "operations" and "map" that use it`));
        return;
      }
      // Read errors (the client went away, a truncated body) reach storage as a 400 with a
      // reason, not as an internal error.
      const body = new PassThrough();
      // The resolver may not be reading yet (or ever, when the input is refused): keep a
      // failure from being an uncaught 'error'. Whoever reads `body` later still gets it.
      body.on('error', () => {});
      stream.on('error', (error: Error) => {
        body.destroy(
          new InvalidRequestError(`The upload was interrupted: ${error.message}`, {
            param: 'file',
          }),
        );
      });
      stream.pipe(body);
      part = stream;
      const file = new StreamedUpload(info.filename ?? '', info.mimeType, body);
      try {
        for (const path of paths) {
          setPath(operations, String(path), file);
        }
      } catch (error) {
        fail(error);
        return;
      }
      settled = true;
      resolve(operations as GraphQLParams);
    });

    parser.on('close', () => {
      if (settled) {
        return;
      }
      if (operations === undefined) {
        fail(badRequest('Missing multipart form field "operations"'));
      } else if (Object.keys(map).length > 0) {
        fail(badRequest('Multipart "map" names a file the request does not contain'));
      } else {
        settled = true;
        resolve(operations as GraphQLParams);
      }
    });
    parser.on('error', (error: Error) => {
      fail(badRequest(`POST body sent invalid multipart data: ${error.message}`));
    });

    // When the answer is out before the upload was read to its end (refused, too large), read
    // and drop the rest so the client can finish sending and the connection stays usable.
    res.once('finish', () => {
      if (part && !part.readableEnded) {
        part.unpipe();
        part.resume();
      }
      req.resume();
    });
    req.pipe(parser);
  });
}
