// The live feed of EPOS events as server-sent events (GET /epos/events/stream). Every stream reads
// from the store after its cursor, so a live event, a backlog and a resume (Last-Event-ID) are the
// same code path and no event is sent twice or skipped. The hub only says "this tenant has news".
//
// A stream costs the platform a socket and a send buffer, so each is bounded: streams per tenant,
// bytes queued for a client that does not read (the stream is cut, the client resumes with
// Last-Event-ID), and the key it opened with (revoking the key ends the stream).
import type { ServerResponse } from 'node:http';
import { PlatformError, STOPPING_HEADERS, platformStopping } from '../errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { EposEventStore } from '../store/store.ts';
import { tenantKey, type Tenant } from '../tenant.ts';
import { eposEventView } from './inbound.ts';

const PAGE = 500;

export type StreamLimits = Pick<Limits, 'streamsPerTenant' | 'streamBufferBytes'>;

export interface StreamHubOptions {
  store: EposEventStore;
  /** Period of the `: keep-alive` comment that keeps proxies from closing an idle stream. */
  keepAliveMs: number;
  /** Reconnect delay suggested to EventSource clients (`retry:`). */
  retryMs?: number;
  /** How long a stream may wait for its client to read (for 'drain') before it is cut. Default 2 × keepAliveMs. */
  stallMs?: number;
  /** Streams per tenant and the send buffer per stream (limits.ts); defaults when absent. */
  limits?: StreamLimits;
  /** Cluster: each keep-alive also reads the store, in case the news of a peer's event was lost. */
  pollOnKeepAlive?: boolean;
}

export class StreamHub {
  private readonly byTenant = new Map<string, Set<Stream>>();
  private closed = false;
  private readonly limits: StreamLimits;

  constructor(private readonly o: StreamHubOptions) {
    this.limits = o.limits ?? DEFAULT_LIMITS;
  }

  /** Streams open now, over all tenants (the metrics' gauge). */
  get total(): number {
    let n = 0;
    for (const set of this.byTenant.values()) n += set.size;
    return n;
  }

  /** A new event for the tenant is stored: its open streams read it. */
  notify(tenant: Tenant): void {
    for (const s of this.byTenant.get(tenantKey(tenant)) ?? []) s.pull();
  }

  /** Throws TOO_MANY_STREAMS when the tenant already has its share open: call before taking the response over. */
  admit(tenant: Tenant): void {
    const open = this.byTenant.get(tenantKey(tenant))?.size ?? 0;
    if (open >= this.limits.streamsPerTenant) {
      throw new PlatformError('TOO_MANY_STREAMS',
        `this account already has ${open} event streams open (limits.streamsPerTenant = ${this.limits.streamsPerTenant}); close one or resume on an open one`);
    }
  }

  /** Serves one stream on `res` from the events after `after`, until the client, the platform or a revocation ends it. */
  open(tenant: Tenant, keyId: string, after: number, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'application/json', ...STOPPING_HEADERS }).end(JSON.stringify(platformStopping().toJSON()));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const key = tenantKey(tenant);
    const stream = new Stream(tenant, keyId, after, res, this.o.store, {
      bufferBytes: this.limits.streamBufferBytes,
      stallMs: this.o.stallMs ?? 2 * this.o.keepAliveMs,
    });
    stream.send(`retry: ${this.o.retryMs ?? 2000}\n\n`);
    let set = this.byTenant.get(key);
    if (!set) this.byTenant.set(key, (set = new Set()));
    set.add(stream);
    const keepAlive = setInterval(() => {
      stream.keepAlive();
      if (this.o.pollOnKeepAlive) stream.pull();
    }, this.o.keepAliveMs);
    keepAlive.unref();
    // A write racing the client's going away must not become an unheard 'error' event.
    res.on('error', () => {});
    res.on('close', () => {
      clearInterval(keepAlive);
      set.delete(stream);
      if (set.size === 0 && this.byTenant.get(key) === set) this.byTenant.delete(key);
    });
    stream.pull();
  }

  /** Ends every stream opened with `keyId` (the key was revoked). */
  closeKey(keyId: string): number {
    let n = 0;
    for (const set of this.byTenant.values()) {
      for (const s of set) if (s.keyId === keyId) { s.end(); n++; }
    }
    return n;
  }

  /** Open streams of a tenant (tests, metrics). */
  count(tenant: Tenant): number {
    return this.byTenant.get(tenantKey(tenant))?.size ?? 0;
  }

  /**
   * Ends every stream cleanly (platform shutdown), each with a comment naming PLATFORM_STOPPING:
   * EventSource clients ignore it and resume with Last-Event-ID, on another node if there is one.
   */
  close(): void {
    this.closed = true;
    const why = platformStopping();
    for (const set of this.byTenant.values()) for (const s of set) s.end(`: ${why.code} ${why.message}; resume with Last-Event-ID\n\n`);
    this.byTenant.clear();
  }
}

class Stream {
  private running = false;
  private again = false;

  constructor(
    private readonly tenant: Tenant,
    readonly keyId: string,
    private last: number,
    private readonly res: ServerResponse,
    private readonly store: EposEventStore,
    private readonly o: { bufferBytes: number; stallMs: number },
  ) {}

  private get gone(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  /**
   * Writes `chunk`; false when the client is not keeping up (wait for 'drain') or the stream is gone.
   * Past the buffer limit the stream is cut: the client resumes with Last-Event-ID.
   */
  send(chunk: string): boolean {
    if (this.gone) return false;
    const ok = this.res.write(chunk);
    if (this.res.writableLength > this.o.bufferBytes) {
      this.res.destroy();
      return false;
    }
    return ok;
  }

  /** A keep-alive comment, only when nothing is queued: a stalled client gets nothing more. */
  keepAlive(): void {
    if (this.res.writableLength === 0) this.send(': keep-alive\n\n');
  }

  /** Sends whatever the store holds after the last event sent. */
  pull(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.pull();
      }
    });
  }

  end(last?: string): void {
    if (this.res.writableEnded) return;
    if (last !== undefined) this.send(last);
    this.res.end();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.gone) return;
        const page = await this.store.list(this.tenant, this.last, PAGE);
        for (const r of page) {
          if (this.gone) return;
          const ok = this.send(`id: ${r.seq}\ndata: ${JSON.stringify(eposEventView(r))}\n\n`);
          this.last = r.seq;
          // Backpressure: nothing more until the client has read what is queued.
          if (!ok && !(await this.writable())) return;
        }
        if (page.length < PAGE) return;
      }
    } catch {
      // The store is gone (shutdown) or the socket broke: the client resumes with Last-Event-ID.
      this.res.destroy();
    }
  }

  /** Resolves true on 'drain'; false when the stream closes or the client reads nothing for stallMs (then it is cut). */
  private writable(): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => {
        this.res.destroy();
        done(false);
      }, this.o.stallMs);
      timer.unref();
      this.res.on('drain', onDrain);
      this.res.on('close', onClose);
    });
  }
}
