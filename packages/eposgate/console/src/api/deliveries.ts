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
  lastError?: { code: string; message: string; at: string; eposError?: unknown };
  /** The last resend or replay. */
  requeuedAt?: string;
}

export interface Attempt {
  at: string;
  outcome: 'delivered' | 'failed';
  transport?: 'ws' | 'rest';
  node: string;
  latencyMs?: number;
  error?: { code: string; message: string };
}

export interface DeliveryDetail extends Delivery {
  event: unknown;
  attemptLog: Attempt[];
}

/** The event types of the contract (EVENT_TYPES); the API refuses any other `type`. */
export const EVENT_TYPES = ['payment_intent.created', 'payment_intent.status_updated'] as const;

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

/** `more`: more events matched than one replay queues (limits.deliveryReplayMax); send it again. */
export const replay = (f: DeliveryFilter): Promise<{ queued: number; more: boolean }> =>
  request('POST', '/epos/events/deliveries/replay', { body: Object.fromEntries(Object.entries(f).filter(([, v]) => v)) });

export const resume = (): Promise<{ paused: null; resumed: number }> => request('POST', '/epos/events/deliveries/resume', { body: {} });

export const pause = (): Promise<{ paused: Paused | null }> => request('POST', '/epos/events/deliveries/pause', { body: {} });
