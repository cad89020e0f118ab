// Cluster: the tester flows of a node that died. Flows live in the shared store, each naming the
// node that runs it, and only that node updates it; a node that dies leaves its flows IN_PROGRESS
// for ever. A peer marks them FAILURE once their node is gone: when presence drops a node that
// fell silent, and, shortly after this node starts, for flows of nodes not present then (dead while
// nobody watched). Silence alone is not proof (this node may be the one cut off from NATS), so the
// node is asked directly first: only "nobody serves that node's subjects" counts as gone; no answer
// is asked again every TTL while the node stays absent. A node that said goodbye is draining and
// settles its own flows (Tester.close), so it is left alone.
import type { Logger } from 'pino';
import type { Presence } from '../bus/presence.ts';
import type { FlowStore } from '../store/store.ts';
import type { Tester } from './runner.ts';

export class FlowTakeover {
  private readonly timers = new Set<NodeJS.Timeout>();
  private unwatch?: () => void;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: { tester: Tester; flows: FlowStore; presence: Presence; self: string; log: Logger }) {}

  start(): void {
    this.unwatch = this.o.presence.onGone((node) => this.consider(node));
    // One TTL (and a heartbeat) after start every live peer has been heard: who is missing then may be gone.
    this.later(() => this.serialised(async () => {
      const stale = await this.o.flows.inProgress({ notIn: [this.o.self, ...this.o.presence.peerIds()] });
      for (const node of new Set(stale.map((f) => f.node))) if (node !== undefined) this.consider(node);
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.unwatch?.();
    await this.running;
  }

  private consider(node: string): void {
    this.serialised(async () => {
      if (this.stopped || this.o.presence.peerIds().includes(node)) return;
      const verdict = await this.o.presence.probe(node);
      if (verdict === 'unknown') return this.later(() => this.consider(node));
      if (verdict === 'alive') return;
      const n = await this.o.tester.recover({ only: node }, (_f, at) => `the platform node ${node} running this flow left the cluster; `
        + `the flow did not finish (taken over by node ${this.o.self} at ${at})`);
      if (n > 0) this.o.log.warn({ node, flows: n }, 'took over the flows of a platform node that is gone');
    });
  }

  private serialised(fn: () => Promise<void>): void {
    this.running = this.running.then(fn).catch((err) => this.o.log.error({ err }, 'could not take over the flows of a gone node'));
  }

  private later(fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.o.presence.ttlMs + 250);
    t.unref();
    this.timers.add(t);
  }
}
