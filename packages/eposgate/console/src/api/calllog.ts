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
  /** The requestor headers the EPOS got, each a string (softwareHouseId, resellerId, waiterId…). */
  requestor: { softwareHouseId?: string; resellerId?: string; [k: string]: string | undefined };
}

/** The platform's error as recorded; `excerpt` (a string) when the body was cut (docs/call-log.md). */
export interface CallError { code: string; message: string; excerpt?: string; eposError?: unknown; details?: unknown; [k: string]: unknown }

export interface CallDetail extends CallSummary {
  /** params, or (when `truncated`) the first characters of their JSON as a string. */
  request: { params: unknown };
  response: { result: unknown } | { error: CallError };
  truncated: boolean;
}

export interface CallFilter {
  capability?: string;
  /** `ok`, `error`, or an error code. */
  status?: string;
  from?: string;
  to?: string;
}

/** One bucket (every bucket of the range is listed; an empty one has calls 0 and null percentiles). */
export interface StatsPoint { at: string; calls: number; errors: number; p50Ms: number | null; p99Ms: number | null }
export interface Stats {
  bucketSeconds: number;
  /** The range answered (the API's defaults filled in). */
  from: string;
  to: string;
  /** More calls than the platform reads for stats (limits.callStatsRows): only the newest were counted. */
  sampled: boolean;
  series: { capability: string; points: StatsPoint[] }[];
}

export const list = (f: CallFilter, page: Page = {}): Promise<{ logs: CallSummary[]; nextCursor?: string }> =>
  request('GET', '/epos/logs', { query: { ...f, ...page } });

export const get = (id: string): Promise<CallDetail> => request('GET', `/epos/logs/${encodeURIComponent(id)}`);

export const stats = (q: { from?: string; to?: string; bucketSeconds?: number; capability?: string }): Promise<Stats> =>
  request('GET', '/epos/logs/stats', { query: q });
