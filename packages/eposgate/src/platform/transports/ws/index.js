export { EposGateway, DEFAULT_MAX_PAYLOAD, DEFAULT_PING_INTERVAL_MS, DEFAULT_WS_PATH } from "./gateway.js";
export { WsTransport, DEFAULT_CONNECT_GRACE_MS } from "./wsTransport.js";
