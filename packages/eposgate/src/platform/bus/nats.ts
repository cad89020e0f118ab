// The bus of a cluster, over NATS core (no JetStream: nothing here needs to outlive a restart).
// Subjects, under `prefix` (default `eposgate`):
//   <prefix>.node.<nodeId>.<subject>  requests addressed to one node (one subscriber: that node)
//   <prefix>.pub.<subject>            broadcast messages, as { from, body }
//   _INBOX.<prefix>.<nodeId>.<r>.<n>  answers to this node's requests (one subscription for all)
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { writeBatcher } from '@eposgate/contract';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { BusError, checkNodeId, type Bus, type MessageHandler, type RequestHandler } from './bus.ts';
import { Presence, type PresenceOptions } from './presence.ts';

export interface NatsBusOptions extends PresenceOptions {
  /** nats://host:port, or several separated by commas. */
  url: string;
  /** Default: a random `n-xxxxxxxx`. */
  nodeId?: string;
  /** First token of every subject: clusters (or test runs) sharing one NATS server stay apart. */
  prefix?: string;
}

// Buffer rather than TextEncoder/TextDecoder: small strings come from Node's pool and are read
// without a decoder object's overhead (both on every message of the forwarded-call path).
const encode = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v ?? null));
const decode = (b: Uint8Array) => (b.length ? JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')) : null) as unknown;
/** How often requests past their timeout are looked for (timeouts here are a second or more). */
const SWEEP_MS = 50;

interface Waiting {
  resolve(data: Uint8Array): void;
  reject(err: BusError): void;
  deadline: number;
  node: string;
  subject: string;
  timeoutMs: number;
}

export class NatsBus implements Bus {
  readonly clustered = true;
  readonly presence: Presence;
  private readonly subs = new Set<Subscription>();
  private up = true;
  private closed = false;
  /**
   * Requests in flight by number, answered on one inbox subscription. nats.js's request() builds
   * a deferred, a timer and an Error per request (its cancel() makes one even after a success):
   * more than the request itself on the forwarded-call path (B7 profile).
   */
  private readonly waiting = new Map<number, Waiting>();
  private readonly inbox: string;
  private lastId = 0;
  private sweeper?: NodeJS.Timeout;
  private batched?: { socket: Duplex; batch: () => void };

  private constructor(private readonly nc: NatsConnection, readonly nodeId: string, private readonly prefix: string, opts: PresenceOptions) {
    this.presence = new Presence(opts);
    this.inbox = `_INBOX.${prefix}.${nodeId}.${randomBytes(4).toString('hex')}.`;
    this.track(nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => { if (!err) this.answered(msg.subject, msg.data, msg.headers?.code); } }));
    void this.watchStatus();
  }

  /** Connects (failing if NATS is unreachable now) and starts presence. */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const nodeId = checkNodeId(opts.nodeId ?? `n-${randomBytes(4).toString('hex')}`);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: opts.url.split(',').map((s) => s.trim()).filter(Boolean),
        name: `eposgate-${nodeId}`,
        // Once up, a node rides out NATS restarts: it keeps trying, local sockets keep serving.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 2000,
        maxPingOut: 2,
        // An Error (with its stack) made up front for every request costs more than the request
        // itself (B7 profile); failures are mapped to BusErrors with their own words anyway.
        noAsyncTraces: true,
      });
    } catch (err) {
      throw new Error(`cannot reach NATS at ${opts.url}: ${(err as Error).message}`, { cause: err });
    }
    const bus = new NatsBus(nc, nodeId, opts.prefix ?? 'eposgate', opts);
    bus.presence.attach(bus, (node) => bus.failNode(node));
    return bus;
  }

  get connected(): boolean {
    return this.up && !this.closed;
  }

  async request(node: string, subject: string, body: unknown, timeoutMs: number): Promise<unknown> {
    if (!this.connected) throw new BusError('UNAVAILABLE', 'the cluster bus (NATS) is disconnected');
    const id = (this.lastId += 1);
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, deadline: performance.now() + timeoutMs, node, subject, timeoutMs });
    });
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    try {
      this.batchWrites();
      this.nc.publish(`${this.prefix}.node.${node}.${subject}`, encode(body), { reply: `${this.inbox}${id}` });
    } catch (err) {
      this.waiting.delete(id);
      throw new BusError('UNAVAILABLE', `the cluster bus (NATS) failed: ${(err as Error).message}`);
    }
    const answer = decode(await reply) as { ok?: unknown; failed?: string };
    if (answer && typeof answer === 'object' && 'failed' in answer) throw new BusError('HANDLER_FAILED', `${subject} on node ${node} failed: ${answer.failed}`);
    return answer.ok;
  }

  respond(subject: string, handler: RequestHandler): void {
    this.track(this.nc.subscribe(`${this.prefix}.node.${this.nodeId}.${subject}`, {
      callback: (err, msg) => {
        if (err) return;
        const answer = (a: unknown) => {
          try {
            this.batchWrites();
            msg.respond(encode(a));
          } catch {
            // The connection closed meanwhile: the requester times out.
          }
        };
        let body: unknown;
        try {
          body = decode(msg.data);
        } catch {
          return answer({ failed: 'the request is not JSON' });
        }
        let out: unknown;
        try {
          out = handler(body);
        } catch (e) {
          return answer({ failed: (e as Error).message });
        }
        // A handler that answers at once is answered in this turn, without a promise.
        if (out instanceof Promise) out.then((ok) => answer({ ok }), (e: Error) => answer({ failed: e.message }));
        else answer({ ok: out });
      },
    }));
  }

  /**
   * Resolves once NATS has everything sent so far, subscriptions included: a responder is only
   * reachable from other nodes after that (NATS sends a SUB lazily, and a request that arrives
   * first finds no responder).
   */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  publish(subject: string, body: unknown): void {
    if (this.closed) return;
    try {
      this.batchWrites();
      this.nc.publish(`${this.prefix}.pub.${subject}`, encode({ from: this.nodeId, body }));
    } catch {
      // Closed or draining: broadcast messages are best effort (presence heals by heartbeat).
    }
  }

  subscribe(subject: string, handler: MessageHandler): () => void {
    const sub = this.track(this.nc.subscribe(`${this.prefix}.pub.${subject}`, {
      callback: (err, msg) => {
        if (err) return;
        let m: { from: string; body: unknown };
        try {
          m = decode(msg.data) as { from: string; body: unknown };
        } catch {
          return;
        }
        if (m && typeof m.from === 'string') handler(m.body, m.from);
      },
    }));
    return () => { this.subs.delete(sub); sub.unsubscribe(); };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.presence.detach(true);
    this.closed = true;
    await this.nc.drain().catch(() => this.nc.close());
    this.failWaiting();
  }

  /** close() did not finish (the drain's flush waits for a NATS that does not answer): the socket is destroyed. */
  abort(): void {
    this.closed = true;
    this.nc.close().catch(() => {});
    this.failWaiting();
  }

  /** Tests only: leaves as a killed process would, without goodbye (peers expire it by TTL). */
  async crash(): Promise<void> {
    this.closed = true;
    this.presence.detach(false);
    await this.nc.close();
    this.failWaiting();
  }

  /**
   * Corks the NATS socket until this turn's I/O is done, as the gateway does with EPOS sockets:
   * requests (or answers) made in one turn leave in one write, not one syscall each. The socket
   * is nats.js's own; should its internals change, nothing is batched and nothing breaks.
   */
  private batchWrites(): void {
    const socket = (this.nc as unknown as { protocol?: { transport?: { socket?: Partial<Duplex> } } }).protocol?.transport?.socket;
    if (typeof socket?.cork !== 'function') return;
    if (this.batched?.socket !== socket) this.batched = { socket: socket as Duplex, batch: writeBatcher(socket as Duplex) };
    this.batched.batch();
  }

  /** Presence found `node` dead: what this node still waits for from it fails now, not at its timeout. */
  private failNode(node: string): void {
    for (const [id, w] of this.waiting) {
      if (w.node !== node) continue;
      this.waiting.delete(id);
      w.reject(new BusError('NODE_GONE', `node ${node} left the cluster before answering ${w.subject}`));
    }
  }

  private answered(subject: string, data: Uint8Array, status: number | undefined): void {
    const id = Number(subject.slice(this.inbox.length));
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    // An empty 503 is the server saying nobody subscribes to that subject: the node is gone.
    if (status === 503 && data.length === 0) w.reject(new BusError('NO_RESPONDER', `node ${w.node} does not serve ${w.subject} (it left the cluster)`));
    else w.resolve(data);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [id, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(id);
      w.reject(new BusError('TIMEOUT', `node ${w.node} did not answer ${w.subject} within ${w.timeoutMs} ms`));
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failWaiting(): void {
    for (const w of this.waiting.values()) w.reject(new BusError('UNAVAILABLE', 'the cluster bus (NATS) closed before the answer came'));
    this.waiting.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private track(sub: Subscription): Subscription {
    this.subs.add(sub);
    return sub;
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.up = false;
      else if (s.type === 'reconnect') this.up = true;
    }
  }
}
