// Registrations: GET /epos/integrations (the current set) and its history (console-api.md, "EPOS health").
import type { RegistrationChange as StoredChange } from '../../../src/platform/store/store.ts';
import { request, type Page } from './http.ts';

export interface Integration {
  url?: string;
  capabilities: { name: string; version: string; updatedAt: string }[];
  auth?: { authType: 'basic'; basic: { username: string } };
  createdAt: string;
}

export interface Integrations {
  restIntegrations: Integration[];
  wsIntegrations: Integration[];
}

/** A change as GET /epos/integrations/history lists it: the store's record, its seq as the id, no tenant or key id. */
export type RegistrationChange = Omit<StoredChange, 'tenant' | 'seq' | 'keyId'> & { id: string };

export const integrations = (headers?: Record<string, string>, quiet = false): Promise<Integrations> =>
  request('GET', '/epos/integrations', { ...(headers ? { headers } : {}), quiet });

export const history = (page: Page = {}): Promise<{ changes: RegistrationChange[]; nextCursor?: string }> =>
  request('GET', '/epos/integrations/history', { query: { ...page } });
