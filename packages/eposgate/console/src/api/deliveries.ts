// Event deliveries to the EPOS (console-api.md, "Event deliveries").
import { request, type Page } from './http.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped' | 'expired';

export interface Delivery {
  id: string;
  seq: number;
  type: string;
  status: DeliveryStatus;
  reason?: string;
  attempts: number;
  createdAt: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  lastError?: string | { code?: string; message?: string };
}

export interface Attempt {
  at: string;
  outcome: 'delivered' | 'failed';
  transport?: string;
  node: string;
  latencyMs?: number;
  error?: { code: string; message: string };
}

export interface DeliveryDetail extends Delivery {
  event: unknown;
  attemptLog: Attempt[];
}

export interface DeliveryFilter {
  type?: string;
  status?: string;
  from?: string;
  to?: string;
}

export interface Paused { since: string; reason: string }

export const list = (f: DeliveryFilter, page: Page = {}): Promise<{ deliveries: Delivery[]; paused: Paused | null; nextCursor?: string }> =>
  request('GET', '/epos/events/deliveries', { query: { ...f, ...page } });

export const get = (id: string): Promise<DeliveryDetail> => request('GET', `/epos/events/deliveries/${encodeURIComponent(id)}`);

export const resend = (id: string): Promise<{ delivery: Delivery }> =>
  request('POST', `/epos/events/deliveries/${encodeURIComponent(id)}/resend`, { body: {} });

export const replay = (f: DeliveryFilter): Promise<{ queued: number }> =>
  request('POST', '/epos/events/deliveries/replay', { body: Object.fromEntries(Object.entries(f).filter(([, v]) => v)) });

export const resume = (): Promise<{ paused: null; resumed: number }> => request('POST', '/epos/events/deliveries/resume', { body: {} });
