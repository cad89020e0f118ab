// Registrations: GET /epos/integrations (the current set) and its history (console-api.md, "EPOS health").
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

export interface RegistrationChange {
  id: string;
  at: string;
  transport: 'ws' | 'rest';
  capabilities: string[];
  added: string[];
  dropped: string[];
  url?: string;
  softwareHouseId: string;
  resellerId?: string;
  keyHint?: string;
}

export const integrations = (headers?: Record<string, string>, quiet = false): Promise<Integrations> =>
  request('GET', '/epos/integrations', { ...(headers ? { headers } : {}), quiet });

export const history = (page: Page = {}): Promise<{ changes: RegistrationChange[]; nextCursor?: string }> =>
  request('GET', '/epos/integrations/history', { query: { ...page } });
