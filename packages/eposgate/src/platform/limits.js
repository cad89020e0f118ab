const DAY = 24 * 60 * 60 * 1000;
export const DEFAULT_LIMITS = Object.freeze({
    bodyBytes: 1024 * 1024,
    bodyReadTimeoutMs: 10_000,
    jsonDepth: 32,
    stringChars: 16_384,
    idChars: 256,
    requestsPerSecond: 1000,
    requestBurst: 2000,
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
    posEventsPerTenant: 100_000,
    posEventMaxAgeMs: 30 * DAY,
    flowRunsPerTenant: 1000,
    flowRunMaxAgeMs: 30 * DAY,
    outboxDonePerTenant: 100_000,
    outboxDoneMaxAgeMs: 30 * DAY,
    pendingEventTtlMs: 7 * DAY,
    retentionIntervalMs: 60_000,
    logStringChars: 512,
    errorExcerptChars: 200,
});
/** The defaults with the given overrides; refuses a knob that is not a positive number. */
export function resolveLimits(given = {}) {
    const out = { ...DEFAULT_LIMITS };
    for (const [k, v] of Object.entries(given)) {
        if (v === undefined)
            continue;
        if (!(k in DEFAULT_LIMITS))
            throw new Error(`unknown limit "${k}"`);
        if (typeof v !== 'number' || !(v > 0))
            throw new Error(`limit ${k} must be a positive number, got ${String(v)}`);
        out[k] = v;
    }
    return out;
}
/** Limits that get out of the way: for benchmarks and tests that measure something else. */
export const UNLIMITED_RATES = {
    requestsPerSecond: 1e9, requestBurst: 1e9, upgradesPerSecond: 1e9, upgradeBurst: 1e9,
    framesPerSecond: 1e9, frameBurst: 1e9, inboundBytesPerSecond: 1e12, socketsPerTenant: 1e9,
};
/** `s` cut to `max` characters with a marker saying how much was dropped: for logs and error bodies. */
export function clip(s, max) {
    return s.length <= max ? s : `${s.slice(0, max)}…(+${s.length - max} chars)`;
}
