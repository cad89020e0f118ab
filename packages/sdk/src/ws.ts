// connect: the EPOS side of the WebSocket transport. Opens one socket to the platform, answers
// its JSON-RPC requests concurrently, stays alive (ping/pong), and reconnects with backoff.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { CAPABILITIES, EVENT_PREFIX, backoffDelay, type BackoffOptions } from '@eposgate/contract';
import { JSONRPC_VERSION, RPC_METHOD_NOT_FOUND, parseFrame, requestorFromWire } from '@eposgate/contract';
import type { EPOSError } from '@eposgate/contract';
import type { Epos } from './define.ts';
import { writeBatcher, SDK_HEADER, formatSdkHeader } from '@eposgate/contract';
import { SDK } from './version.ts';

export interface ConnectOptions {
  /**
   * The platform's EPOS socket, e.g. `ws://localhost:8080/epos` or `wss://…/epos`: one URL (a
   * single platform, or a load balancer in front of several nodes), or one per node. With a list,
   * every reconnect (a drop, a node draining with close 1012, a refused dial) dials the next URL,
   * round robin, after the usual backoff.
   */
  url: string | readonly string[];
  /** `sk_sandbox_…` or `sk_prod_…`; sent as `Authorization: Basic <apiKey>`, not base64-encoded. */
  apiKey: string;
  softwareHouseId: string;
  resellerId?: string;
  /** Reconnect delays (default 500 ms doubling to 30 s, jittered); `false` disables reconnecting. */
  reconnect?: BackoffOptions | false;
  /** How often to ping the platform (default 25 s) and how long to wait for the pong (default 10 s). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** How long close() waits for in-flight handlers before closing anyway (default 10 s). */
  drainTimeoutMs?: number;
  /** WebSocket handshake timeout (default 10 s). */
  handshakeTimeoutMs?: number;
}

export interface ReconnectInfo {
  /** 1 for the first dial after a disconnect, 2 for the next, … */
  attempt: number;
  /** The URL this dial goes to (the next of `url` when it lists several). */
  url: string;
  delayMs: number;
  /** Why the previous dial failed (absent after a connection that was open). */
  lastError?: string;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  /** True when the SDK will try again. */
  willReconnect: boolean;
}

/**
 * A live link to the platform. Events: `connect` (each time a socket opens), `disconnect`
 * (DisconnectInfo: once per lost connection, not for each failed dial after it; also when the SDK
 * gives up, willReconnect false), `reconnecting` (ReconnectInfo, before each dial), `error` (Error;
 * emitted only when a listener is attached, so an unhandled error never crashes the EPOS).
 */
export interface EposConnection extends EventEmitter {
  readonly connected: boolean;
  /** Requests being handled right now. */
  readonly inFlight: number;
  /** Stops reconnecting, lets in-flight handlers answer, then closes the socket. */
  close(): Promise<void>;
}

function wsMethodTable(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of CAPABILITIES) m.set(c.wsMethod, [...(m.get(c.wsMethod) ?? []), c.name]);
  return m;
}

class Connection extends EventEmitter implements EposConnection {
  #ws: WebSocket | null = null;
  #batchWrites: () => void = () => {};
  #stopped = false;
  #attempt = 0;
  /** The last error of the socket being dialled, for `reconnecting`. */
  #dialError: string | undefined;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #pongTimer: NodeJS.Timeout | null = null;
  readonly #pending = new Set<Promise<void>>();
  readonly #methods = wsMethodTable();
  readonly #urls: readonly string[];
  /** Index into #urls of the socket open or being dialled. */
  #urlIndex = 0;

  constructor(private readonly epos: Epos, private readonly opts: ConnectOptions) {
    super();
    this.#urls = typeof opts.url === 'string' ? [opts.url] : [...opts.url];
    this.#open();
  }

  get #url(): string {
    return this.#urls[this.#urlIndex % this.#urls.length]!;
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  #fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #open(): void {
    const headers: Record<string, string> = {
      authorization: `Basic ${this.opts.apiKey}`,
      'software-house-id': this.opts.softwareHouseId,
      [SDK_HEADER]: formatSdkHeader(SDK),
    };
    if (this.opts.resellerId) headers['reseller-id'] = this.opts.resellerId;
    const ws = new WebSocket(this.#url, {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000,
    });
    this.#ws = ws;
    // Answers produced in one turn of the event loop leave in one write (see batch.ts).
    ws.once('upgrade', (res) => { this.#batchWrites = writeBatcher(res.socket); });
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.#attempt = 0;
      this.#dialError = undefined;
      this.#startHeartbeat(ws);
      // Online now: the contract checks of what it answers are compiled before the first calls.
      void this.epos.prepare?.();
      this.emit('connect');
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 2000) body += c;
      });
      res.on('end', () => {
        const err = new Error(`platform refused the connection: HTTP ${status}${body ? ` ${body}` : ''}`);
        this.#dialError = err.message;
        this.#fail(err);
        ws.terminate();
      });
      res.on('error', () => ws.terminate());
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.#onFrame(ws, data.toString());
    });
    ws.on('pong', () => this.#clearPong());
    ws.on('error', (err) => {
      if (!opened) this.#dialError = err.message;
      this.#fail(err);
    });
    ws.on('close', (code, reason) => {
      this.#stopHeartbeat();
      if (this.#ws === ws) this.#ws = null;
      const willReconnect = !this.#stopped && this.opts.reconnect !== false;
      // A dial that failed while reconnecting is not another disconnect: `reconnecting` reports it.
      if (opened || !willReconnect) {
        this.emit('disconnect', { code, reason: reason.toString(), willReconnect } satisfies DisconnectInfo);
      }
      if (willReconnect) this.#scheduleReconnect(opened ? undefined : this.#dialError ?? `closed with code ${code}`);
    });
  }

  #scheduleReconnect(lastError: string | undefined): void {
    const delayMs = backoffDelay(this.#attempt, this.opts.reconnect || {});
    this.#attempt++;
    this.#dialError = undefined;
    // Any node serves: the next one, since this one dropped us, is draining (1012) or refused.
    this.#urlIndex = (this.#urlIndex + 1) % this.#urls.length;
    this.emit('reconnecting', { attempt: this.#attempt, url: this.#url, delayMs, ...(lastError ? { lastError } : {}) } satisfies ReconnectInfo);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#stopped) this.#open();
    }, delayMs);
  }

  #startHeartbeat(ws: WebSocket): void {
    const every = this.opts.pingIntervalMs ?? 25_000;
    const timeout = this.opts.pingTimeoutMs ?? 10_000;
    this.#pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN || this.#pongTimer) return;
      this.#pongTimer = setTimeout(() => {
        this.#pongTimer = null;
        this.#fail(new Error(`no pong from the platform within ${timeout} ms; reconnecting`));
        ws.terminate();
      }, timeout);
      ws.ping();
    }, every);
  }

  #clearPong(): void {
    if (this.#pongTimer) clearTimeout(this.#pongTimer);
    this.#pongTimer = null;
  }

  #stopHeartbeat(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.#clearPong();
  }

  #reply(ws: WebSocket, id: string | number | null, body: { result: unknown } | { error: unknown }): void {
    if (ws.readyState !== WebSocket.OPEN) return; // the platform has gone; it will time the call out
    if (ws === this.#ws) this.#batchWrites();
    ws.send(JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, ...body }));
  }

  #onFrame(ws: WebSocket, text: string): void {
    const frame = parseFrame(text);
    if (frame.kind === 'invalid') {
      if (frame.id !== undefined) {
        this.#reply(ws, frame.id, { error: { errorType: 'InvalidRequest', debugMessage: frame.reason } satisfies EPOSError });
      }
      return;
    }
    if (frame.kind !== 'request') return; // responses and notifications are not ours to answer
    const { id, method } = frame;
    const params = (typeof frame.params === 'object' && frame.params !== null && !Array.isArray(frame.params)
      ? frame.params
      : {}) as Record<string, unknown>;
    const { headers, ...rest } = params;

    let name: string | undefined;
    const names = this.#methods.get(method);
    if (names && names.some((n) => n.startsWith(EVENT_PREFIX))) name = `${EVENT_PREFIX}${String(rest.event)}`;
    else name = names?.[0];

    if (!name || !this.epos.implements(name)) {
      const what = name && names?.[0]?.startsWith(EVENT_PREFIX) ? `event ${String(rest.event)} (${method})` : `method ${method}`;
      this.#reply(ws, id, {
        error: {
          code: RPC_METHOD_NOT_FOUND,
          message: 'Method not found',
          errorType: 'InvalidRequest',
          debugMessage: `${what} not implemented by this EPOS`,
        },
      });
      return;
    }

    const job = this.epos
      .invoke(name, rest, { headers: requestorFromWire(headers), transport: 'ws', drop: () => ws.terminate() })
      .then((out) => this.#reply(ws, id, out.ok ? { result: out.result } : { error: out.error }))
      .catch((err: Error) => this.#fail(err))
      .finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const drain = Promise.allSettled([...this.#pending]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drain, new Promise<void>((r) => (timer = setTimeout(r, this.opts.drainTimeoutMs ?? 10_000)))]);
    clearTimeout(timer);
    this.#stopHeartbeat();
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => ws.terminate(), 2_000);
      ws.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'EPOS closing');
    });
  }
}

/** Opens (and keeps open) the EPOS socket to the platform. Returns at once; listen for `connect`. */
export function connect(epos: Epos, opts: ConnectOptions): EposConnection {
  if (typeof opts.url === 'string' ? !opts.url : !opts.url?.length) throw new TypeError('connect: url is required (one URL, or a list of them)');
  if (!opts.apiKey) throw new TypeError('connect: apiKey is required');
  if (!opts.softwareHouseId) throw new TypeError('connect: softwareHouseId is required');
  return new Connection(epos, opts);
}
