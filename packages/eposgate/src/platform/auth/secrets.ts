// Secrets at rest (REST basic-auth passwords): AES-256-GCM with the platform key.
// The key comes from EPOSGATE_SECRET_KEY (base64, 32 bytes) or `<data>/secret.key`, made on first run.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error(`secret key must be 32 bytes, got ${key.length}`);
  }

  static load(dataDir: string, fromEnv = process.env.EPOSGATE_SECRET_KEY): SecretBox {
    if (fromEnv) return new SecretBox(Buffer.from(fromEnv, 'base64'));
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * The plain text; throws when `sealed` was not sealed under this key (the key changed since) or is
   * damaged. Callers that can recover use tryOpen.
   */
  open(sealed: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unrecognised sealed secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }

  /** The plain text, or undefined when this key cannot open `sealed`. */
  tryOpen(sealed: string): string | undefined {
    try {
      return this.open(sealed);
    } catch {
      return undefined;
    }
  }
}
