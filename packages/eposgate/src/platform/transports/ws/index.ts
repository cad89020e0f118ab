export { EposGateway, DEFAULT_MAX_PAYLOAD, DEFAULT_PING_INTERVAL_MS, DEFAULT_WS_PATH } from './gateway.ts';
export type { EposGatewayOptions, GatewayEvents } from './gateway.ts';
export { WsTransport, DEFAULT_CONNECT_GRACE_MS } from './wsTransport.ts';
export type { WsTransportOptions } from './wsTransport.ts';
export type { ConnectionInfo, DisconnectInfo, FrameStats } from './eposSocket.ts';
