import { createHash } from 'node:crypto';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { BackendApp } from '../files/backends.js';

/** `length` bytes in which every byte value occurs, in a scrambled order. */
export function allByteValues(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) {
    bytes[index] = (index * 167 + 13 + Math.floor(index / 256)) % 256;
  }
  return bytes;
}

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** Splits `bytes` into `count` nearly equal parts. */
export function split(bytes: Buffer, count: number): Buffer[] {
  const size = Math.ceil(bytes.length / count);
  return Array.from({ length: count }, (_, index) =>
    bytes.subarray(index * size, (index + 1) * size),
  );
}

/** Adds one part through the SDK. */
export async function addPart(client: OpenAI, uploadId: string, bytes: Uint8Array) {
  return client.uploads.parts.create(uploadId, { data: await toFile(bytes, 'part') });
}

/** A pending upload for `bytes` (purpose assistants, octet-stream). */
export function createUploadFor(client: OpenAI, bytes: number, filename = 'data.bin') {
  return client.uploads.create({
    filename,
    purpose: 'assistants',
    bytes,
    mime_type: 'application/octet-stream',
  });
}

/** Storage keys of upload parts (they live under `<project>/uploads/`). */
export async function partKeys(b: BackendApp): Promise<string[]> {
  return (await b.storedKeys()).filter((key) => key.includes('/uploads/'));
}
