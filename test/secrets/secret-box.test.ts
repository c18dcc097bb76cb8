import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/secrets/secret-box.js';

const key = () => randomBytes(32).toString('base64');

describe('the secret box', () => {
  it('seals so that only its key opens, and opens what the previous key sealed after a rotation', () => {
    const [oldKey, newKey] = [key(), key()];
    const old = createSecretBox(oldKey);
    const sealed = old?.seal('sk-upstream') ?? '';
    expect(sealed).not.toContain('sk-upstream');
    expect(old?.seal('sk-upstream')).not.toBe(sealed);
    expect(old?.open(sealed)).toBe('sk-upstream');
    const rotated = createSecretBox(newKey, oldKey);
    expect(rotated?.open(sealed)).toBe('sk-upstream');
    expect(() => createSecretBox(newKey)?.open(sealed)).toThrow(/no configured SECRETS_KEY/);
    const tampered = `${sealed.slice(0, -2)}AA`;
    expect(() => old?.open(tampered)).toThrow();
  });

  it('refuses keys that are not 32 bytes, and is absent without a key', () => {
    expect(() => createSecretBox('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(createSecretBox(undefined)).toBeNull();
  });
});
