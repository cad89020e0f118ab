// The operator's side (console-api.md, "Auth"): the tenant picker and who the credentials are.
import { request, type Page } from './http.ts';

export interface TenantRow {
  accountId: string;
  env: 'sandbox' | 'production';
  keys: number;
  registered: { ws: string[] | null; rest: string[] | null };
  sockets: number;
  lastCallAt?: string;
}

export type WhoAmI = { role: 'operator' } | { role: 'vendor'; accountId: string; env: string; keyHint: string };

export const tenants = (q: string, page: Page = {}, headers?: Record<string, string>): Promise<{ tenants: TenantRow[]; nextCursor?: string }> =>
  request('GET', '/admin/tenants', { query: { q, ...page }, ...(headers ? { headers, quiet: true } : {}) });

export const whoami = (): Promise<WhoAmI> => request('GET', '/epos/whoami');
