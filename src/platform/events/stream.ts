// The live feed of EPOS events as server-sent events (GET /epos/events/stream). Every stream reads
// from the store after its cursor, so a live event, a backlog and a resume (Last-Event-ID) are the
// same code path and no event is sent twice or skipped. The hub only says "this tenant has news".
import type { ServerResponse } from 'node:http';
import type { EposEventStore } from '../store/store.ts';
import { tenantKey, type Tenant } from '../tenant.ts';
import { eposEventView } from './inbound.ts';

const PAGE = 500;

export interface StreamHubOptions {
  store: EposEventStore;
  /** Period of the `: keep-alive` comment that keeps proxies from closing an idle stream. */
  keepAliveMs: number;
  /** Reconnect delay suggested to EventSource clients (`retry:`). */
  retryMs?: number;
}

export class StreamHub {
  private readonly byTenant = new Map<string, Set<Stream>>();
  private closed = false;

  constructor(private readonly o: StreamHubOptions) {}

  /** A new event for the tenant is stored: its open streams read it. */
  notify(tenant: Tenant): void {
    for (const s of this.byTenant.get(tenantKey(tenant)) ?? []) s.pull();
  }

  /** Serves one stream on `res` from the events after `after`, until the client or the platform ends it. */
  open(tenant: Tenant, after: number, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'SHUTTING_DOWN', message: 'platform shutting down' }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.o.retryMs ?? 2000}\n\n`);
    const key = tenantKey(tenant);
    const stream = new Stream(tenant, after, res, this.o.store);
    let set = this.byTenant.get(key);
    if (!set) this.byTenant.set(key, (set = new Set()));
    set.add(stream);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.o.keepAliveMs);
    keepAlive.unref();
    res.on('close', () => {
      clearInterval(keepAlive);
      set.delete(stream);
      if (set.size === 0 && this.byTenant.get(key) === set) this.byTenant.delete(key);
    });
    stream.pull();
  }

  /** Ends every stream cleanly (platform shutdown). */
  close(): void {
    this.closed = true;
    for (const set of this.byTenant.values()) for (const s of set) s.end();
    this.byTenant.clear();
  }
}

class Stream {
  private running = false;
  private again = false;

  constructor(private readonly tenant: Tenant, private last: number, private readonly res: ServerResponse, private readonly store: EposEventStore) {}

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

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.res.writableEnded || this.res.destroyed) return;
        const page = await this.store.list(this.tenant, this.last, PAGE);
        for (const r of page) {
          this.res.write(`id: ${r.seq}\ndata: ${JSON.stringify(eposEventView(r))}\n\n`);
          this.last = r.seq;
        }
        if (page.length < PAGE) return;
      }
    } catch {
      // The store is gone (shutdown) or the socket broke: the client resumes with Last-Event-ID.
      this.res.destroy();
    }
  }
}
