// The public contract: capability catalogue, entity and per-capability schemas (each also a TS type),
// the EPOS error, validation and the REST mapping. JSON-RPC framing lives in ./jsonrpc.ts.
export * from './catalogue.ts';
export * from './schemas.ts';
export * from './eposError.ts';
export * from './validate.ts';
export * from './rest.ts';
