import { randomFillSync } from 'node:crypto';

/** OpenAI-style id prefixes. Note the hyphen on files. */
export const ID_PREFIXES = {
  project: 'proj_',
  apiKey: 'key_',
  serviceAccount: 'svc_acct_',
  auditLog: 'audit_',
  provider: 'prov_',
  assistant: 'asst_',
  thread: 'thread_',
  message: 'msg_',
  run: 'run_',
  step: 'step_',
  toolCall: 'call_',
  file: 'file-',
  vectorStore: 'vs_',
  fileBatch: 'vsfb_',
  upload: 'upload_',
  uploadPart: 'part_',
  request: 'req_',
  response: 'resp_',
  conversation: 'conv_',
  functionCall: 'fc_',
  fileSearchCall: 'fs_',
  item: 'item_',
  compaction: 'cmp_',
  container: 'cntr_',
  containerFile: 'cfile_',
  codeInterpreterCall: 'ci_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random bytes drawn from the CSPRNG in blocks: ids are made on every request and run (several
 * each), and one `randomBytes` call per id cost more than the rest of making it.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const byte = pool[poolOffset] ?? 0;
  poolOffset += 1;
  return byte;
}

/** `length` random base62 characters; rejection sampling keeps the distribution uniform. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) {
      out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** A new id: the kind's prefix followed by 24 random base62 characters. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}${randomBase62(24)}`;
}
