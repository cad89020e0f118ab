// HTTP basic auth as the platform sends it to a REST EPOS (and to the reference EPOS's fault control).
import { timingSafeEqual } from 'node:crypto';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether an Authorization header carries exactly these basic-auth credentials (compared in constant time). */
export function basicAuthMatches(header: string | undefined, expected: { username: string; password: string }): boolean {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  // evaluate both so a wrong username costs the same as a wrong password
  const u = sameSecret(decoded.slice(0, i), expected.username);
  const p = sameSecret(decoded.slice(i + 1), expected.password);
  return u && p;
}
