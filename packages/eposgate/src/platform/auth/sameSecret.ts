// Comparing a presented secret (operator or metrics token) with the configured one.
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant time whatever the inputs: digests first give equal lengths and no early exit on the first differing byte. */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** The token of an `Authorization: Bearer <token>` header, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
