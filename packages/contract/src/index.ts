// The public contract: capability catalogue, entity and per-capability schemas (each also a TS type),
// the EPOS error, validation, the REST mapping and the JSON-RPC framing.
export * from './catalogue.ts';
export * from './schemas.ts';
export * from './eposError.ts';
export * from './validate.ts';
export * from './warmup.ts';
export * from './rest.ts';
export * from './jsonrpc.ts';
export * from './requestor.ts';
export * from './posEvents.ts';
export * from './jsonDepth.ts';
export * from './wsBatch.ts';
export * from './backoff.ts';
export * from './sdkHeader.ts';
