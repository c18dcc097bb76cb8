import type { IncomingMessage, ServerResponse } from 'node:http';
import { PayloadTooLargeError, ServiceUnavailableError } from '../errors.js';

/**
 * The bytes of JSON request bodies all requests in flight may hold at once. A body is read
 * whole before it is parsed, and parsing costs a multiple of its size, so many large bodies at
 * once (16 × 15 MB in the fuzz bench) grew the server by a gigabyte; beyond the budget a request
 * is refused with a retryable 503 instead.
 */
export interface BodyBudget {
  /** Takes `bytes` from the budget; false (nothing taken) when they do not fit. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
  /** Bytes reserved now (for tests and metrics). */
  readonly inFlight: number;
}

export function createBodyBudget(totalBytes: number): BodyBudget {
  let inFlight = 0;
  return {
    tryReserve(bytes) {
      if (inFlight + bytes > totalBytes) {
        return false;
      }
      inFlight += bytes;
      return true;
    },
    release(bytes) {
      inFlight = Math.max(0, inFlight - bytes);
    },
    get inFlight() {
      return inFlight;
    },
  };
}

export interface BodyLimits {
  /** JSON_BODY_MAX_BYTES: the largest body one request may send. */
  maxBytes: number;
  budget: BodyBudget;
}

export function bodyTooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `Request body too large: the maximum request body size is ${maxBytes} bytes.`,
  );
}

/** Retryable: the SDKs retry 503s with backoff (and honour `retry-after`). */
export function serverBusy(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'The server is currently overloaded with large requests. Please retry your request after a brief wait.',
  );
}

/**
 * Reads a request's whole body within `limits`. A declared length (`content-length`) over the
 * maximum is refused before a byte is read; a declared length is taken from the budget at once
 * (all or nothing, so admitted requests finish), a chunked body as its chunks arrive. What is
 * taken goes back when the response closes, since the body and what is parsed from it live
 * until then. Refused bodies are not read further: Node discards the rest once the response
 * is sent, so the connection stays usable and the client reads the answer.
 */
export function readBoundedBody(
  req: IncomingMessage,
  res: ServerResponse,
  limits: BodyLimits,
): Promise<Buffer> {
  const { maxBytes, budget } = limits;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(bodyTooLarge(maxBytes));
  }
  let reserved = 0;
  res.once('close', () => budget.release(reserved));
  const reserve = (bytes: number): boolean => {
    if (!budget.tryReserve(bytes)) {
      res.setHeader('retry-after', '1');
      return false;
    }
    reserved += bytes;
    return true;
  };
  if (Number.isFinite(declared) && declared > 0 && !reserve(declared)) {
    return Promise.reject(serverBusy());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      chunks.length = 0;
      // Flowing with no listener: the rest is read and dropped, so the answer still gets out.
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        return stop(bodyTooLarge(maxBytes));
      }
      if (size > reserved && !reserve(size - reserved)) {
        return stop(serverBusy());
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks));
    const onError = (error: Error) => stop(error);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}
