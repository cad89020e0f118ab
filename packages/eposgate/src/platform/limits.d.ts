export interface Limits {
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
    /** Capabilities in one registration body. */
    capabilityCount: number;
    /** Longest capability name or version accepted (longer ones get no "did you mean"). */
    capabilityNameChars: number;
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
    /** Open SSE streams per tenant (429 TOO_MANY_STREAMS). */
    streamsPerTenant: number;
    /** Bytes queued for one SSE client that does not read before the stream is closed. */
    streamBufferBytes: number;
    /** Tester flows IN_PROGRESS per tenant (429 TOO_MANY_FLOWS). */
    flowsPerTenant: number;
    /** POS events kept per tenant, and their age, ms. */
    posEventsPerTenant: number;
    posEventMaxAgeMs: number;
    /** Finished tester runs kept per tenant, and their age, ms. */
    flowRunsPerTenant: number;
    flowRunMaxAgeMs: number;
    /** Delivered, failed, skipped and expired outbox rows kept per tenant, and their age, ms. */
    outboxDonePerTenant: number;
    outboxDoneMaxAgeMs: number;
    /** A pending event not delivered within this time is marked `expired`, ms. */
    pendingEventTtlMs: number;
    /** How often retention runs, ms. */
    retentionIntervalMs: number;
    /** Longest EPOS-supplied string written to a log line, characters. */
    logStringChars: number;
    /** Longest excerpt of an EPOS's raw answer quoted in an error body, characters. */
    errorExcerptChars: number;
}
export declare const DEFAULT_LIMITS: Readonly<Limits>;
/** The defaults with the given overrides; refuses a knob that is not a positive number. */
export declare function resolveLimits(given?: Partial<Limits>): Limits;
/** Limits that get out of the way: for benchmarks and tests that measure something else. */
export declare const UNLIMITED_RATES: Partial<Limits>;
/** `s` cut to `max` characters with a marker saying how much was dropped: for logs and error bodies. */
export declare function clip(s: string, max: number): string;
