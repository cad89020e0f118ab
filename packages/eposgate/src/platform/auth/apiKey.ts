// API keys: `sk_sandbox_…` / `sk_prod_…`, sent as `Authorization: Basic <key>` as-is.
// Only the SHA-256 of a key is stored: keys are 190 bits of randomness, so a slow hash adds nothing.
import { createHash, randomBytes } from 'node:crypto';
import { PlatformError } from '../errors.ts';
import type { Environment } from '../tenant.ts';

const PREFIX: Record<Environment, string> = { sandbox: 'sk_sandbox_', production: 'sk_prod_' };

export function generateKey(env: Environment): string {
  return PREFIX[env] + randomBytes(24).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What an operator sees of a key: enough to tell keys apart, useless to an attacker. */
export function keyHint(key: string): string {
  return key.slice(0, key.indexOf('_', 3) + 5) + '…';
}

export function envOfKey(key: string): Environment | undefined {
  if (key.startsWith(PREFIX.sandbox)) return 'sandbox';
  if (key.startsWith(PREFIX.production)) return 'production';
  return undefined;
}

/** Is this a key someone could hold, by shape alone (for `--api-key`)? */
export function isWellFormedKey(key: string): boolean {
  return envOfKey(key) !== undefined && /^sk_(sandbox|prod)_[A-Za-z0-9_-]{16,}$/.test(key);
}

function looksBase64OfKey(v: string): boolean {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(v)) return false;
  const decoded = Buffer.from(v, 'base64').toString('utf8');
  return /^sk_(sandbox|prod)_/.test(decoded) || /^[^:]*:sk_(sandbox|prod)_/.test(decoded) || /^sk_(sandbox|prod)_[^:]*:/.test(decoded);
}

/**
 * Extracts the key from an Authorization header, or throws the 401 that says what is wrong with it.
 * The environment comes from the prefix.
 */
export function parseAuthorization(header: string | undefined): { key: string; env: Environment } {
  if (header === undefined || header.trim() === '') {
    throw new PlatformError('MISSING_AUTHORIZATION', 'Missing Authorization header: send "Authorization: Basic <api key>" with the key as-is');
  }
  const m = /^Basic\s+(\S+)\s*$/i.exec(header.trim());
  if (!m) {
    throw new PlatformError('MALFORMED_AUTHORIZATION', 'Authorization header must be "Basic <api key>" with the key as-is (not base64-encoded)');
  }
  const key = m[1]!;
  const env = envOfKey(key);
  if (env) return { key, env };
  if (looksBase64OfKey(key)) {
    throw new PlatformError('BASE64_API_KEY', 'The API key in the Authorization header is base64-encoded: send it as-is, "Authorization: Basic sk_sandbox_…"');
  }
  throw new PlatformError('UNKNOWN_KEY_PREFIX', 'API key must start with sk_sandbox_ (sandbox) or sk_prod_ (production)');
}
