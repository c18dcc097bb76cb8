import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Seals and opens small secrets (upstream credentials) with AES-256-GCM. */
export interface SecretBox {
  seal(plain: string): string;
  /** Throws when no configured key opens it (a rotated-out key, or tampering). */
  open(sealed: string): string;
}

const VERSION = 'v1';

function keyOf(text: string, name: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new Error(`${name} must be 32 bytes in base64 (openssl rand -base64 32)`);
  }
  return key;
}

function openWith(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || !data) {
    throw new Error('not a sealed secret');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString(
    'utf8',
  );
}

/**
 * The box of `SECRETS_KEY`, also opening what `SECRETS_KEY_PREVIOUS` sealed (rotation: move the
 * key to _PREVIOUS, set a new one; secrets are sealed with the new key when next written).
 * Null without a key.
 */
export function createSecretBox(current?: string, previous?: string): SecretBox | null {
  if (current === undefined) {
    return null;
  }
  const keys = [keyOf(current, 'SECRETS_KEY')];
  if (previous !== undefined) {
    keys.push(keyOf(previous, 'SECRETS_KEY_PREVIOUS'));
  }
  const [sealing] = keys as [Buffer];
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealing, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), data]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
        .join(':');
    },
    open(sealed) {
      for (const key of keys) {
        try {
          return openWith(key, sealed);
        } catch {
          // The next key may be the one that sealed it.
        }
      }
      throw new Error('no configured SECRETS_KEY opens this secret');
    },
  };
}
