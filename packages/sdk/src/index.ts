// eposgate/sdk: build an EPOS for the EPOS Data API. The whole public face.
export { defineEpos } from './define.ts';
export type { Epos, EposOptions, ContractErrorReport, Outcome, CallInfo } from './define.ts';
export { EposError } from './errors.ts';
export { restHandler } from './rest.ts';
export { basicAuthMatches } from './basicAuth.ts';
export type { RestOptions, NodeHandler } from './rest.ts';
export { fastifyPlugin } from './fastify.ts';
export type { FastifyApp, FastifyPlugin } from './fastify.ts';
export { connect } from './ws.ts';
export type { ConnectOptions, EposConnection, DisconnectInfo, ReconnectInfo } from './ws.ts';
export { register, sendEvent, PlatformRequestError } from './platform.ts';
export type { PlatformOptions, RegisterOptions, PosEvent } from './platform.ts';
export type { Handlers, Handler, HandlerName, HandlerContext, ParamsOf, ResultOf, RequestorHeaders } from './types.ts';
export type { FieldIssue } from './check.ts';
