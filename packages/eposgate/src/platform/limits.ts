// Every size, count, depth, rate, time and age that input can grow, in one place. Each is a knob
// of startPlatform({ limits }) and a row of docs/limits.md (with the error a client gets past it).
// Defaults are set for a shared production platform; tests and benchmarks override what they must.
export interface Limits {
  // ── HTTP ──
  /** Largest request body, bytes (413 BODY_TOO_LARGE). */
  bodyBytes: number;
  /** Time a client has to send a whole request (headers and body), ms (408, then the socket closes). */
  bodyReadTimeoutMs: number;
  /** Deepest nesting of objects and arrays in a JSON body or WS frame (400 JSON_TOO_DEEP / frame dropped). */
  jsonDepth: number;
  /** Longest string anywhere in a JSON body, characters (400 VALIDATION_FAILED naming the path). */
  stringChars: number;
  /** Longest id (order, party, reservation, table, event, lock id), characters. */
  idChars: number;
  /** Requests per second per API key, and the burst above it (429 RATE_LIMITED with Retry-After). */
  requestsPerSecond: number;
  requestBurst: number;
  /** Requests per second of the operator (admin token), all together, and its burst: apart from the vendors' buckets. */
  operatorRequestsPerSecond: number;
  operatorRequestBurst: number;

  // ── Registration ──
  /** Capabilities in one registration body. */
  capabilityCount: number;
  /** Longest capability name or version accepted (longer ones get no "did you mean"). */
  capabilityNameChars: number;

  // ── EPOS WebSocket ──
  /** Largest frame from an EPOS, bytes (socket closed with 1009). */
  frameBytes: number;
  /** Bytes queued for one EPOS socket that does not read before it is closed (1008). */
  socketOutboundBytes: number;
  /** Frames per second an EPOS may send on one socket, and the burst above it (1008 past it). */
  framesPerSecond: number;
  frameBurst: number;
  /** Bytes per second an EPOS may send on one socket (1008 past it). */
  inboundBytesPerSecond: number;
  /** Open EPOS sockets per tenant (upgrade refused 429 TOO_MANY_SOCKETS). */
  socketsPerTenant: number;
  /** WebSocket upgrades per second per remote address, and the burst (429 with Retry-After). */
  upgradesPerSecond: number;
  upgradeBurst: number;

  // ── Streams and flows ──
  /** Open SSE streams per tenant (429 TOO_MANY_STREAMS). */
  streamsPerTenant: number;
  /** Bytes queued for one SSE client that does not read before the stream is closed. */
  streamBufferBytes: number;
  /** Tester flows IN_PROGRESS per tenant (429 TOO_MANY_FLOWS). */
  flowsPerTenant: number;

  // ── Event deliveries ──
  /** Attempts kept in each event's log (older ones are dropped as new ones come). */
  deliveryAttemptsKept: number;
  /** Events one replay request queues again at most (the answer says `more: true` past it). */
  deliveryReplayMax: number;

  // ── Retention ──
  /** POS events kept per tenant, and their age, ms. */
  posEventsPerTenant: number;
  posEventMaxAgeMs: number;
  /** Finished tester runs kept per tenant, and their age, ms. */
  flowRunsPerTenant: number;
  flowRunMaxAgeMs: number;
  /** Delivered, failed, skipped and expired outbox rows kept per tenant, and their age, ms. */
  outboxDonePerTenant: number;
  outboxDoneMaxAgeMs: number;
  /** Registration changes (GET /epos/integrations/history) kept per tenant, and their age, ms. */
  registrationChangesPerTenant: number;
  registrationChangeMaxAgeMs: number;
  /** A pending event not delivered within this time is marked `expired`, ms. */
  pendingEventTtlMs: number;
  /** How often retention runs, ms. */
  retentionIntervalMs: number;

  // ── Call log (docs/call-log.md) ──
  /** Calls kept per tenant in the call log, and their age, ms. */
  callLogPerTenant: number;
  callLogMaxAgeMs: number;
  /** Longest recorded request params or response body, characters of JSON each (longer: cut, `truncated`). */
  callLogBodyChars: number;
  /** Calls waiting to be written; past it a call is not recorded (counted as dropped), never waited for. */
  callLogQueue: number;
  /** Calls written per batch (one transaction), and how long a call waits at most before its batch is written, ms. */
  callLogBatch: number;
  callLogFlushMs: number;
  /** GET /epos/logs/stats: most rows read for one answer (newest kept), and most buckets in its range. */
  callStatsRows: number;
  callStatsBuckets: number;

  // ── Output ──
  /** Longest EPOS-supplied string written to a log line, characters. */
  logStringChars: number;
  /** Longest excerpt of an EPOS's raw answer quoted in an error body, characters. */
  errorExcerptChars: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  bodyBytes: 1024 * 1024,
  bodyReadTimeoutMs: 10_000,
  jsonDepth: 32,
  stringChars: 16_384,
  idChars: 256,
  requestsPerSecond: 1000,
  requestBurst: 2000,
  operatorRequestsPerSecond: 100,
  operatorRequestBurst: 200,

  capabilityCount: 100,
  capabilityNameChars: 100,

  frameBytes: 1024 * 1024,
  socketOutboundBytes: 8 * 1024 * 1024,
  framesPerSecond: 2000,
  frameBurst: 4000,
  inboundBytesPerSecond: 16 * 1024 * 1024,
  socketsPerTenant: 20,
  upgradesPerSecond: 50,
  upgradeBurst: 200,

  streamsPerTenant: 10,
  streamBufferBytes: 1024 * 1024,
  flowsPerTenant: 10,

  deliveryAttemptsKept: 50,
  deliveryReplayMax: 1000,

  posEventsPerTenant: 100_000,
  posEventMaxAgeMs: 30 * DAY,
  flowRunsPerTenant: 1000,
  flowRunMaxAgeMs: 30 * DAY,
  outboxDonePerTenant: 100_000,
  outboxDoneMaxAgeMs: 30 * DAY,
  registrationChangesPerTenant: 1000,
  registrationChangeMaxAgeMs: 365 * DAY,
  pendingEventTtlMs: 7 * DAY,
  retentionIntervalMs: 60_000,

  callLogPerTenant: 100_000,
  callLogMaxAgeMs: 7 * DAY,
  callLogBodyChars: 8192,
  callLogQueue: 10_000,
  callLogBatch: 200,
  callLogFlushMs: 100,
  callStatsRows: 10_000,
  callStatsBuckets: 1440,

  logStringChars: 512,
  errorExcerptChars: 200,
});

/** The defaults with the given overrides; refuses a knob that is not a positive number. */
export function resolveLimits(given: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(given) as [keyof Limits, unknown][]) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_LIMITS)) throw new Error(`unknown limit "${k}"`);
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`limit ${k} must be a positive number, got ${String(v)}`);
    out[k] = v;
  }
  return out;
}

/** Limits that get out of the way: for benchmarks and tests that measure something else. */
export const UNLIMITED_RATES: Partial<Limits> = {
  requestsPerSecond: 1e9, requestBurst: 1e9, operatorRequestsPerSecond: 1e9, operatorRequestBurst: 1e9, upgradesPerSecond: 1e9, upgradeBurst: 1e9,
  framesPerSecond: 1e9, frameBurst: 1e9, inboundBytesPerSecond: 1e12, socketsPerTenant: 1e9,
};

/** `s` cut to `max` characters with a marker saying how much was dropped: for logs and error bodies. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(+${s.length - max} chars)`;
}
