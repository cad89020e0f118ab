// The EPOS WebSocket endpoint: authenticates the upgrade, accepts sockets onto the registry,
// pings them, and shuts them down. Attaches to any node http.Server (fastify's `server` too).
import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { silentLogger, type TransportLogger } from '../log.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import { SDK_HEADER, formatSdkHeader, parseSdkHeader, type SdkInfo } from '@eposgate/contract';
import { PlatformError, STOPPING_RETRY_AFTER_S, isPlatformError, platformStopping } from '../../errors.ts';
import { settleWithin } from '../../deadline.ts';
import { tenantKey, type Caller, type Tenant } from '../../tenant.ts';
import { clip, resolveLimits, type Limits } from '../../limits.ts';
import {
  CLOSE_KEY_REVOKED, EposSocket, emptyFrameStats, type ConnectionInfo, type DisconnectInfo, type FrameStats,
} from './eposSocket.ts';
import { ConnectionRegistry } from './connections.ts';
import { KeyedBuckets } from './rate.ts';

export const DEFAULT_WS_PATH = '/epos';
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
export const DEFAULT_PING_INTERVAL_MS = 15_000;
/** Close code of a platform restart: the EPOS is expected to reconnect. */
export const CLOSE_SERVICE_RESTART = 1012;
/** How long a raw call waits for a socket when none is open (the WsTransport's default grace). */
const RAW_CALL_CONNECT_GRACE_MS = 2000;

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

export class EposGateway extends EventEmitter<GatewayEvents> {
  readonly registry = new ConnectionRegistry();
  /** Counters of unusable frames received, over all sockets. */
  readonly stats: FrameStats = emptyFrameStats();
  private readonly wss: WebSocketServer;
  private readonly log: TransportLogger;
  private readonly path: string;
  private readonly maxPayload: number;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly servers = new Set<Server>();
  private closing?: Promise<void>;
  private draining?: Promise<void>;
  /** Set by drain() or close(): no new socket, no new wait for one. */
  private stopping = false;
  /** Close code of the sockets still open at shutdown: 1012 after a drain (reconnect elsewhere), else 1001. */
  private closeCode = 1001;
  private readonly limits: Limits;
  /** Upgrades per remote address, checked before authentication. */
  private readonly upgradeRate: KeyedBuckets;
  /** Per tenant key, sockets authenticated but not yet open: counted against socketsPerTenant. */
  private readonly accepting = new Map<string, number>();

  constructor(private readonly opts: EposGatewayOptions) {
    super();
    this.log = opts.logger ?? silentLogger();
    this.path = normalisePath(opts.path ?? DEFAULT_WS_PATH);
    this.limits = resolveLimits({ ...opts.limits, ...(opts.maxPayload !== undefined ? { frameBytes: opts.maxPayload } : {}) });
    this.maxPayload = opts.maxPayload ?? opts.limits?.frameBytes ?? DEFAULT_MAX_PAYLOAD;
    this.upgradeRate = new KeyedBuckets(this.limits.upgradesPerSecond, this.limits.upgradeBurst);
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: this.maxPayload, clientTracking: false });
    this.pingTimer = setInterval(() => this.heartbeat(), opts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Listens for upgrades on `server`. */
  attach(server: Server): this {
    server.on('upgrade', this.onUpgrade);
    this.servers.add(server);
    return this;
  }

  /** Number of open sockets the tenant has. */
  connectionCount(tenant: Tenant): number {
    return this.registry.count(tenant);
  }

  isConnected(tenant: Tenant): boolean {
    return this.registry.current(tenant) !== undefined;
  }

  /** True once drain() or close() has begun. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /**
   * Handles one upgrade request. Returns false (socket untouched) for another path when
   * `otherPaths` is `ignore`.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (upgradePath(req.url) !== this.path) {
      if (this.opts.otherPaths === 'ignore') return false;
      refuseUpgrade(socket, 404, { error: 'NOT_FOUND', message: `no WebSocket endpoint at this path; EPOS systems connect to ${this.path}` });
      return true;
    }
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'upgrade socket error'));
    // Before authentication, which costs a hash and maybe a store read.
    const remote = req.socket.remoteAddress ?? 'unknown';
    const allowed = this.upgradeRate.take(remote);
    if (allowed !== true) {
      this.log.info({ remote }, 'EPOS upgrade refused: too many upgrades from this address');
      refuseUpgrade(socket, 429, {
        error: 'RATE_LIMITED',
        message: `more than ${this.limits.upgradesPerSecond} WebSocket upgrades per second from this address (upgradesPerSecond); retry after ${allowed.retryAfterSeconds} s`,
      }, { 'Retry-After': String(allowed.retryAfterSeconds) });
      return true;
    }
    this.accept(req, socket, head).catch((err: unknown) => {
      this.log.error({ err }, 'unexpected error accepting an EPOS socket');
      socket.destroy();
    });
    return true;
  }

  /**
   * Closes every socket opened with `keyId` (4401 "API key revoked"), failing their calls in
   * flight; other sockets of the same tenant stay. Returns how many were closed.
   */
  closeKey(keyId: string): number {
    let n = 0;
    for (const c of this.registry.all()) {
      if (c.keyId !== keyId || !c.open) continue;
      c.shutdown(CLOSE_KEY_REVOKED, 'API key revoked',
        new PlatformError('EPOS_UNREACHABLE', 'the API key of the EPOS socket was revoked mid-call; the call may have executed and is not retried'));
      n += 1;
    }
    if (n) this.log.info({ keyId, sockets: n }, 'API key revoked: its EPOS sockets closed');
    return n;
  }

  /**
   * Tester only (protocol flows): sends `method` with `params` as given on the tenant's serving
   * socket and answers the JSON object the EPOS sent back, whatever its shape.
   */
  async rawCall(tenant: Tenant, method: string, params: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Record<string, unknown>> {
    // As a product call does, give an EPOS that is reconnecting a short grace (at most the call's timeout).
    const conn = this.registry.current(tenant) ?? await this.registry.waitFor(tenant, Math.min(RAW_CALL_CONNECT_GRACE_MS, opts.timeoutMs), opts.signal);
    if (!conn) throw new PlatformError('EPOS_NOT_CONNECTED', 'no EPOS WebSocket connected for this account/environment');
    return conn.rawCall(method, params, opts);
  }

  /**
   * Tester only (protocol flows): closes the tenant's open sockets with 1012 (service restart), as
   * a platform restart would, and waits up to `withinMs` for the EPOS to open a new one. Answers
   * how many closed and how long the reconnect took (absent when none came back in time).
   */
  async restartSockets(tenant: Tenant, withinMs: number, signal?: AbortSignal): Promise<{ closed: number; reconnectedAfterMs?: number }> {
    const open = this.registry.list(tenant).filter((c) => c.open);
    if (!open.length) throw new PlatformError('EPOS_NOT_CONNECTED', 'no EPOS WebSocket connected for this account/environment');
    const t0 = performance.now();
    for (const c of open) c.close(CLOSE_SERVICE_RESTART, 'service restart', 'closed with 1012 by the tester to check the EPOS reconnects');
    // Closing sockets are not `open`, so only a new socket answers this wait.
    const next = await this.registry.waitFor(tenant, withinMs, signal);
    return next ? { closed: open.length, reconnectedAfterMs: Math.round(performance.now() - t0) } : { closed: open.length };
  }

  /**
   * Drain: refuses new upgrades (503 PLATFORM_STOPPING), fails calls waiting for a socket (none
   * will come here), and closes each socket with 1012 (service restart) once its calls in flight
   * have answered, so the EPOS reconnects to another node without losing them. At `deadlineMs`
   * whatever is left is shut as by close(), with 1012.
   */
  drain(deadlineMs: number): Promise<void> {
    this.draining ??= this.drainSockets(deadlineMs);
    return this.draining;
  }

  /** Shutdown without a drain: calls in flight fail with PLATFORM_STOPPING, sockets close with 1001. */
  close(): Promise<void> {
    this.stopping = true;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async drainSockets(deadlineMs: number): Promise<void> {
    this.stopping = true;
    // A socket whose upgrade was under way when the drain began is told to go elsewhere too.
    this.closeCode = CLOSE_SERVICE_RESTART;
    this.registry.shutdown(platformStopping());
    const conns = this.registry.all();
    const drained = await settleWithin(Promise.all(conns.map((c) => c.closeWhenIdle(CLOSE_SERVICE_RESTART, 'service restart'))), deadlineMs);
    this.log.info({ sockets: conns.length, drained }, drained ? 'EPOS sockets drained' : 'drain deadline passed; closing the EPOS sockets left');
    await this.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.handleUpgrade(req, socket, head);
  };

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.stopping) return refuseStopping(socket);
    let caller: Caller;
    try {
      caller = await this.opts.authenticate(req);
    } catch (e) {
      const err = isPlatformError(e) ? e : new PlatformError('INTERNAL', 'the platform could not authenticate the connection');
      if (!isPlatformError(e)) this.log.error({ err: e }, 'authenticate threw a non-platform error');
      else this.log.info({ code: err.code, remote: req.socket.remoteAddress }, 'EPOS upgrade refused');
      return refuseUpgrade(socket, err.status, { error: err.code, message: err.message });
    }
    if (this.stopping) return refuseStopping(socket);
    if (socket.destroyed) return;
    const key = tenantKey(caller);
    const accepting = this.accepting.get(key) ?? 0;
    if (this.registry.count(caller) + accepting >= this.limits.socketsPerTenant) {
      this.log.info({ tenant: key, remote: req.socket.remoteAddress }, 'EPOS upgrade refused: too many sockets for the tenant');
      return refuseUpgrade(socket, 429, {
        error: 'TOO_MANY_SOCKETS',
        message: `this account/environment already has ${this.limits.socketsPerTenant} EPOS sockets open (socketsPerTenant); close one first`,
      });
    }
    // Counted from here until the socket opens or fails, so a burst of upgrades cannot race past the cap.
    this.accepting.set(key, accepting + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (this.accepting.get(key) ?? 1) - 1;
      if (left > 0) this.accepting.set(key, left);
      else this.accepting.delete(key);
    };
    socket.once('close', release);
    const remoteAddress = req.socket.remoteAddress;
    // Read now: the request (and its headers) is not kept once the socket is open.
    const sdk = parseSdkHeader(req.headers[SDK_HEADER]);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Off the socket once it is open: a listener kept for the socket's life would keep this
      // scope, the upgrade request with its headers included, alive per socket (B3-memory).
      socket.off('close', release);
      release();
      this.onConnection(ws, caller, remoteAddress, socket, sdk);
    });
  }

  private onConnection(ws: WebSocket, caller: Caller, remoteAddress: string | undefined, socket: Duplex, sdk: SdkInfo | undefined): void {
    const conn = new EposSocket(ws, caller, remoteAddress, this.stats, this.log, this.maxPayload, socket, this.limits, sdk);
    if (this.stopping) {
      conn.shutdown(this.closeCode, closeReason(this.closeCode), platformStopping());
      return;
    }
    this.registry.add(conn);
    this.log.info({
      tenant: conn.key, connectionId: conn.info.connectionId,
      // Header values the EPOS chose: clipped like every EPOS string in a log line.
      softwareHouseId: clip(caller.softwareHouseId, this.limits.logStringChars),
      resellerId: caller.resellerId === undefined ? undefined : clip(caller.resellerId, this.limits.logStringChars),
      remoteAddress, sockets: this.registry.count(caller), ...(sdk ? { sdk: formatSdkHeader(sdk) } : {}),
    }, 'EPOS connected');
    this.emitSafely('connect', conn.info);
    void conn.closed.then((info) => {
      this.registry.remove(conn);
      this.emitSafely('disconnect', info);
    });
  }

  /** A throwing connect/disconnect listener is logged; it must not break the socket's bookkeeping. */
  private emitSafely<E extends keyof GatewayEvents>(event: E, ...args: GatewayEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: GatewayEvents[E]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'unexpected error in a gateway listener');
    }
  }

  private heartbeat(): void {
    for (const c of this.registry.all()) c.heartbeat();
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const s of this.servers) s.off('upgrade', this.onUpgrade);
    const err = this.closeCode === CLOSE_SERVICE_RESTART
      ? platformStopping('platform shutting down: the drain deadline passed before the EPOS answered; the call may have executed and is not retried')
      : platformStopping();
    this.registry.shutdown(err);
    const conns = this.registry.all();
    for (const c of conns) c.shutdown(this.closeCode, closeReason(this.closeCode), err);
    await settleWithin(Promise.all(conns.map((c) => c.closed)), 2000);
    for (const c of conns) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function closeReason(code: number): string {
  return code === CLOSE_SERVICE_RESTART ? 'service restart' : 'platform shutting down';
}

/** An upgrade while stopping: 503 PLATFORM_STOPPING with Retry-After, so the EPOS dials another node. */
function refuseStopping(socket: Duplex): void {
  refuseUpgrade(socket, 503, platformStopping().toJSON(), { 'Retry-After': String(STOPPING_RETRY_AFTER_S) });
}

/** The request's path, normalised; '' for a target the URL parser refuses (never throws). */
function upgradePath(target: string | undefined): string {
  try {
    return normalisePath(new URL(target ?? '/', 'http://x').pathname);
  } catch {
    return '';
  }
}

function normalisePath(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Answers an upgrade with a plain HTTP error a developer can read, then closes. */
function refuseUpgrade(socket: Duplex, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const json = JSON.stringify(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
    `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}
