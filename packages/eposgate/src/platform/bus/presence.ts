// Which node holds which tenant's EPOS sockets. Each node announces its own tenants (a delta on
// every change, numbered) and a heartbeat every `heartbeatMs` carrying its latest number; a peer
// that sees a gap, or a node it does not know, asks that node for its whole set. A node silent for
// `ttlMs` (killed, partitioned) is forgotten with all its tenants; one that closes says goodbye.
import type { Messaging } from './messaging.ts';

export interface PresenceOptions {
  /** How often a node repeats its heartbeat. Default 1000 ms. */
  heartbeatMs?: number;
  /** A node not heard from for this long is dropped. Default 3000 ms. */
  ttlMs?: number;
}

type PresenceMessage =
  | { t: 'hb'; seq: number }
  | { t: 'delta'; seq: number; add?: string[]; remove?: string[] }
  | { t: 'bye' };

interface Peer {
  seq: number;
  keys: Set<string>;
  lastSeen: number;
  syncing: boolean;
}

const SUBJECT = 'presence';
const SYNC = 'presence.sync';

export class Presence {
  private readonly local = new Set<string>();
  private seq = 0;
  private readonly peers = new Map<string, Peer>();
  /** Tenant key → node → when its holding was learnt (the latest holder serves). */
  private readonly index = new Map<string, Map<string, number>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Per node, who wants to know when it is dropped (calls forwarded to it). */
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly heldListeners = new Set<(key: string, node: string) => void>();
  private readonly goneListeners = new Set<(node: string) => void>();
  /** The bus, told of every node found dead (it fails the requests waiting on that node). */
  private deadListener?: (node: string) => void;
  private bus?: Messaging;
  private timer?: NodeJS.Timeout;
  private lastTick = Date.now();
  private unsubscribe?: () => void;
  private readonly heartbeatMs: number;
  /** A node not heard from for this long is dropped. */
  readonly ttlMs: number;

  constructor(opts: PresenceOptions = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.ttlMs = opts.ttlMs ?? 3000;
  }

  /** This node now holds (or no longer holds) sockets of the tenant `key`. */
  hold(key: string, held: boolean): void {
    if (held === this.local.has(key)) {
      // Another socket of a tenant already held: a call waiting for one may go ahead.
      if (held) this.wake(key);
      return;
    }
    if (held) this.local.add(key);
    else this.local.delete(key);
    this.seq += 1;
    this.bus?.publish(SUBJECT, held ? { t: 'delta', seq: this.seq, add: [key] } : { t: 'delta', seq: this.seq, remove: [key] });
    this.wake(key);
  }

  /**
   * The node that serves the tenant's calls (the most recent holder), if another node holds its
   * sockets. Allocates nothing: it runs on every routed call.
   */
  holder(key: string): string | undefined {
    const at = this.index.get(key);
    if (!at) return undefined;
    let best: string | undefined;
    let since = -Infinity;
    for (const [node, t] of at) if (t > since) { best = node; since = t; }
    return best;
  }

  /** Other nodes holding the tenant's sockets, the most recent holder first. */
  holders(key: string): string[] {
    const at = this.index.get(key);
    if (!at) return [];
    return [...at.entries()].sort((a, b) => b[1] - a[1]).map(([node]) => node);
  }

  /** Nodes currently known, this one excluded. */
  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  /**
   * Resolves on the next change of the tenant's holders (here or on any node), or after `ms`.
   * Answers whether something changed.
   */
  changed(key: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      const done = (changed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve(changed);
      };
      const wake = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(wake);
    });
  }

  /** Forgets everything `node` held, e.g. when a request finds nobody home there: it is gone. */
  dropNode(node: string): void {
    this.forget(node, true);
  }

  /**
   * `gone`: the node died (silent, or nobody serves its subjects), so calls forwarded to it fail
   * now. A node that said goodbye is only draining: it still answers what it was sent.
   */
  private forget(node: string, gone: boolean): void {
    const peer = this.peers.get(node);
    if (peer) {
      this.peers.delete(node);
      for (const key of peer.keys) this.unindex(key, node);
    }
    if (!gone) return;
    this.deadListener?.(node);
    const watching = this.watchers.get(node);
    this.watchers.delete(node);
    for (const w of watching ?? []) w();
    if (peer) for (const l of this.goneListeners) l(node);
  }

  /**
   * Calls `onGone` if `node` is found dead (silent past ttlMs, or no responder) before the returned
   * function is called. Lets a call forwarded to a node that died fail then, not at its timeout.
   */
  watchNode(node: string, onGone: () => void): () => void {
    const set = this.watchers.get(node) ?? new Set<() => void>();
    this.watchers.set(node, set);
    set.add(onGone);
    return () => {
      set.delete(onGone);
      if (set.size === 0 && this.watchers.get(node) === set) this.watchers.delete(node);
    };
  }

  /** Calls `listener` each time another node starts holding a tenant's sockets. */
  onHeld(listener: (key: string, node: string) => void): () => void {
    this.heldListeners.add(listener);
    return () => this.heldListeners.delete(listener);
  }

  /** Calls `listener` each time a node is found dead (not one that said goodbye: it is draining). */
  onGone(listener: (node: string) => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /**
   * Asks `node` directly whether it is there. 'gone': NATS says nobody serves its subjects (the
   * process died or closed its bus); 'unknown': no answer (it may be frozen or cut off, or this
   * node is) — not proof of death.
   */
  async probe(node: string): Promise<'alive' | 'gone' | 'unknown'> {
    if (!this.bus) return 'unknown';
    try {
      await this.bus.request(node, SYNC, null, this.heartbeatMs);
      return 'alive';
    } catch (err) {
      return (err as { code?: unknown }).code === 'NO_RESPONDER' ? 'gone' : 'unknown';
    }
  }

  /**
   * Starts announcing this node and listening to the others over `bus`. `onDead` hears of every
   * node found dead, at once (the bus fails what it still waits for from that node).
   */
  attach(bus: Messaging, onDead?: (node: string) => void): void {
    this.bus = bus;
    this.deadListener = onDead;
    bus.respond(SYNC, () => ({ seq: this.seq, keys: [...this.local] }));
    this.unsubscribe = bus.subscribe(SUBJECT, (body, from) => {
      if (from !== bus.nodeId) this.onMessage(from, body as PresenceMessage);
    });
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.timer.unref();
    bus.publish(SUBJECT, { t: 'hb', seq: this.seq });
  }

  /** Stops announcing; with `goodbye`, peers drop this node at once instead of after ttlMs. */
  detach(goodbye: boolean): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
    if (goodbye) this.bus?.publish(SUBJECT, { t: 'bye' });
    this.bus = undefined;
    for (const node of [...this.peers.keys()]) this.forget(node, false);
  }

  private tick(): void {
    this.bus?.publish(SUBJECT, { t: 'hb', seq: this.seq });
    const now = Date.now();
    // A late tick means this node's own loop was blocked (a long GC, validators compiling): the
    // peers' heartbeats may be sitting unread in the socket, so that time is not held against them.
    const blocked = Math.max(0, now - this.lastTick - this.heartbeatMs);
    this.lastTick = now;
    const deadline = now - this.ttlMs - blocked;
    for (const [node, peer] of this.peers) if (peer.lastSeen < deadline) this.dropNode(node);
  }

  private onMessage(from: string, m: PresenceMessage): void {
    if (m.t === 'bye') return this.forget(from, false);
    let peer = this.peers.get(from);
    if (!peer) {
      peer = { seq: -1, keys: new Set(), lastSeen: Date.now(), syncing: false };
      this.peers.set(from, peer);
      return void this.sync(from, peer);
    }
    peer.lastSeen = Date.now();
    if (peer.syncing) return;
    if (m.t === 'hb') {
      if (m.seq !== peer.seq) void this.sync(from, peer);
      return;
    }
    // A delta lost while NATS reconnected shows as a gap: the whole set is fetched instead.
    if (m.seq !== peer.seq + 1) return void this.sync(from, peer);
    peer.seq = m.seq;
    for (const k of m.add ?? []) this.setHeld(from, peer, k, true);
    for (const k of m.remove ?? []) this.setHeld(from, peer, k, false);
  }

  private async sync(node: string, peer: Peer): Promise<void> {
    if (!this.bus) return;
    peer.syncing = true;
    try {
      const snap = await this.bus.request(node, SYNC, null, 2000) as { seq: number; keys: string[] };
      if (this.peers.get(node) !== peer) return;
      const next = new Set(snap.keys);
      for (const k of peer.keys) if (!next.has(k)) this.setHeld(node, peer, k, false);
      for (const k of next) this.setHeld(node, peer, k, true);
      peer.seq = snap.seq;
    } catch {
      // The next heartbeat from that node asks again.
    } finally {
      peer.syncing = false;
    }
  }

  private setHeld(node: string, peer: Peer, key: string, held: boolean): void {
    if (held === peer.keys.has(key)) return;
    if (held) {
      peer.keys.add(key);
      const at = this.index.get(key) ?? new Map<string, number>();
      at.set(node, performance.now());
      this.index.set(key, at);
      this.wake(key);
      for (const l of this.heldListeners) l(key, node);
    } else {
      peer.keys.delete(key);
      this.unindex(key, node);
    }
  }

  private unindex(key: string, node: string): void {
    const at = this.index.get(key);
    if (!at?.delete(node)) return;
    if (at.size === 0) this.index.delete(key);
    this.wake(key);
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const w of set) w();
  }
}
