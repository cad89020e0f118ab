// Who the console signs in as. Kept in this tab's sessionStorage only: gone when the tab closes,
// never sent by the browser on its own (no cookies, so no cross-site request can use it).
export type Session =
  | { kind: 'vendor'; apiKey: string; softwareHouseId: string }
  | { kind: 'operator'; token: string; tenant?: string };

const KEY = 'eposgate-console-session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (s.kind === 'vendor' && typeof s.apiKey === 'string' && typeof s.softwareHouseId === 'string') return s;
    if (s.kind === 'operator' && typeof s.token === 'string') return s;
  } catch { /* unreadable: signed out */ }
  return null;
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** The headers that authenticate a request (console-api.md, "Auth"). */
export function authHeaders(s: Session): Record<string, string> {
  if (s.kind === 'vendor') return { authorization: `Basic ${s.apiKey}`, 'software-house-id': s.softwareHouseId };
  return { authorization: `Bearer ${s.token}`, ...(s.tenant ? { 'eposgate-tenant': s.tenant } : {}) };
}

/** A key shown without giving it away: its prefix and last four characters. */
export function keyHint(key: string): string {
  const prefix = /^sk_(sandbox|prod)_/.exec(key)?.[0] ?? '';
  return `${prefix}…${key.slice(-4)}`;
}
