import { EventEmitter } from 'node:events';
import { type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type TransportLogger } from '../log.ts';
import { type Caller, type Tenant } from '../../tenant.ts';
import { type Limits } from '../../limits.ts';
import { type ConnectionInfo, type DisconnectInfo, type FrameStats } from './connection.ts';
import { ConnectionRegistry } from './connections.ts';
export declare const DEFAULT_WS_PATH = "/epos";
export declare const DEFAULT_MAX_PAYLOAD: number;
export declare const DEFAULT_PING_INTERVAL_MS = 15000;
/** Close code of a platform restart: the EPOS is expected to reconnect. */
export declare const CLOSE_SERVICE_RESTART = 1012;
export interface EposGatewayOptions {
    /** Turns the upgrade request into a Caller, or throws a PlatformError (its status and message are sent back). */
    authenticate(req: IncomingMessage): Promise<Caller>;
    /** Upgrade path served; default `/epos` (a trailing slash and a query string are accepted). */
    path?: string;
    /** Largest frame accepted from an EPOS, in bytes; a larger one closes the socket with 1009. Default 1 MiB. */
    maxPayload?: number;
    /** Ping period; a socket that has not ponged by the next tick is terminated. Default 15 s. */
    pingIntervalMs?: number;
    /** Upgrades on other paths: `reject` answers 404 JSON (default), `ignore` leaves them to other listeners. */
    otherPaths?: 'reject' | 'ignore';
    logger?: TransportLogger;
    /**
     * Sockets per tenant, upgrades per address, inbound rates, outbound buffer, JSON depth and log
     * clipping (limits.ts); defaults for the rest. `maxPayload` wins over `frameBytes` when given.
     */
    limits?: Partial<Limits>;
}
export interface GatewayEvents {
    connect: [ConnectionInfo];
    disconnect: [DisconnectInfo];
}
export declare class EposGateway extends EventEmitter<GatewayEvents> {
    private readonly opts;
    readonly registry: ConnectionRegistry;
    /** Counters of unusable frames received, over all sockets. */
    readonly stats: FrameStats;
    private readonly wss;
    private readonly log;
    private readonly path;
    private readonly maxPayload;
    private readonly pingTimer;
    private readonly servers;
    private closing?;
    private readonly limits;
    /** Upgrades per remote address, checked before authentication. */
    private readonly upgradeRate;
    /** Per tenant key, sockets authenticated but not yet open: counted against socketsPerTenant. */
    private readonly accepting;
    constructor(opts: EposGatewayOptions);
    /** Listens for upgrades on `server`. */
    attach(server: Server): this;
    /** Number of open sockets the tenant has. */
    connectionCount(tenant: Tenant): number;
    isConnected(tenant: Tenant): boolean;
    /** The tenant's sockets, oldest first; the last open one serves. */
    connections(tenant: Tenant): ConnectionInfo[];
    get shuttingDown(): boolean;
    /**
     * Handles one upgrade request. Returns false (socket untouched) for another path when
     * `otherPaths` is `ignore`.
     */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
    /**
     * Closes every socket opened with `keyId` (4401 "API key revoked"), failing their calls in
     * flight; other sockets of the same tenant stay. Returns how many were closed.
     */
    closeKey(keyId: string): number;
    /**
     * Tester only (protocol flows): sends `method` with `params` as given on the tenant's serving
     * socket and answers the JSON object the EPOS sent back, whatever its shape.
     */
    rawCall(tenant: Tenant, method: string, params: Record<string, unknown>, opts: {
        timeoutMs: number;
        signal?: AbortSignal;
    }): Promise<Record<string, unknown>>;
    /**
     * Tester only (protocol flows): closes the tenant's open sockets with 1012 (service restart), as
     * a platform restart would, and waits up to `withinMs` for the EPOS to open a new one. Answers
     * how many closed and how long the reconnect took (absent when none came back in time).
     */
    restartSockets(tenant: Tenant, withinMs: number, signal?: AbortSignal): Promise<{
        closed: number;
        reconnectedAfterMs?: number;
    }>;
    /** Graceful shutdown: calls in flight fail with EPOS_UNREACHABLE, sockets close with 1001. */
    close(): Promise<void>;
    private readonly onUpgrade;
    private accept;
    private onConnection;
    /** A throwing connect/disconnect listener is logged; it must not break the socket's bookkeeping. */
    private emitSafely;
    private heartbeat;
    private shutdown;
}
