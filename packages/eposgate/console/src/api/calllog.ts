// The call log and its statistics (console-api.md, "Call log").
import { request, type Page } from './http.ts';

export interface CallSummary {
  id: string;
  at: string;
  capability: string;
  transport: 'ws' | 'rest' | null;
  node: string;
  source: 'data-api' | 'tester' | 'events';
  status: 'ok' | 'error';
  errorCode?: string;
  latencyMs: number;
  requestor: { softwareHouseId?: string; resellerId?: string; [k: string]: unknown };
}

export interface CallDetail extends CallSummary {
  request: { params: unknown };
  response: { result: unknown } | { error: { code: string; message: string; [k: string]: unknown } };
  truncated: boolean;
}

export interface CallFilter {
  capability?: string;
  /** `ok`, `error`, or an error code. */
  status?: string;
  from?: string;
  to?: string;
}

export interface StatsPoint { at: string; calls: number; errors: number; p50Ms: number; p99Ms: number }
export interface Stats { bucketSeconds: number; series: { capability: string; points: StatsPoint[] }[] }

export const list = (f: CallFilter, page: Page = {}): Promise<{ logs: CallSummary[]; nextCursor?: string }> =>
  request('GET', '/epos/logs', { query: { ...f, ...page } });

export const get = (id: string): Promise<CallDetail> => request('GET', `/epos/logs/${encodeURIComponent(id)}`);

export const stats = (q: { from?: string; to?: string; bucketSeconds?: number; capability?: string }): Promise<Stats> =>
  request('GET', '/epos/logs/stats', { query: q });
