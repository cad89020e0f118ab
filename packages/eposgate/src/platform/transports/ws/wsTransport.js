import { paramsWithHeaders } from '@eposgate/contract';
import { PlatformError } from "../../errors.js";
export const DEFAULT_CONNECT_GRACE_MS = 2000;
export class WsTransport {
    gateway;
    kind = 'ws';
    connectGraceMs;
    constructor(gateway, opts = {}) {
        this.gateway = gateway;
        this.connectGraceMs = opts.connectGraceMs ?? DEFAULT_CONNECT_GRACE_MS;
    }
    async call(tenant, capability, params, headers, opts) {
        if (this.gateway.shuttingDown)
            throw new PlatformError('EPOS_UNREACHABLE', 'platform shutting down');
        const started = performance.now();
        const conn = this.gateway.registry.current(tenant)
            ?? await this.gateway.registry.waitFor(tenant, Math.min(this.connectGraceMs, opts.timeoutMs), opts.signal);
        if (!conn) {
            throw new PlatformError('EPOS_NOT_CONNECTED', 'no EPOS WebSocket connected for this account/environment');
        }
        const left = opts.timeoutMs - (performance.now() - started);
        if (left <= 0) {
            throw new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${capability.wsMethod} within ${opts.timeoutMs} ms`);
        }
        return conn.call(capability.wsMethod, paramsWithHeaders(params, headers), {
            timeoutMs: left,
            budgetMs: opts.timeoutMs,
            signal: opts.signal,
        });
    }
}
