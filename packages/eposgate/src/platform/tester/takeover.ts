// Cluster: the tester flows of a node that died. Flows live in the shared store, each naming the
// node that runs it, and only that node updates it; a node that dies leaves its flows IN_PROGRESS
// for ever. A peer marks them FAILURE once presence has found their node gone: at once when it
// drops a node that fell silent, and, shortly after this node starts, for the flows of any node not
// present then (dead while nobody watched). A node that said goodbye is draining and settles its
// own flows (Tester.close), so it is left alone; a peer that is merely starting is never taken over.
import type { Logger } from 'pino';
import type { Presence } from '../bus/presence.ts';
import type { FlowOwnerFilter } from '../store/store.ts';
import type { Tester } from './runner.ts';

export class FlowTakeover {
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly tester: Tester, private readonly presence: Presence, private readonly self: string, private readonly log: Logger) {}

  start(): void {
    this.unwatch = this.presence.onGone((node) => this.takeOver({ only: node }));
    // One TTL (and a heartbeat) after start every live peer has been heard: who is missing then is gone.
    this.timer = setTimeout(() => this.takeOver({ notIn: [this.self, ...this.presence.peerIds()] }), this.presence.ttlMs + 250);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.unwatch?.();
    await this.running;
  }

  private takeOver(owner: FlowOwnerFilter): void {
    const self = this.self;
    this.running = this.running
      .then(() => this.tester.recover(owner, (f, at) => `the platform node ${f.node ?? '(unknown)'} running this flow left the cluster; `
        + `the flow did not finish (taken over by node ${self} at ${at})`))
      .then((n) => { if (n > 0) this.log.warn({ ...owner, flows: n }, 'took over the flows of a platform node that is gone'); })
      .catch((err) => this.log.error({ err }, 'could not take over the flows of a gone node'));
  }
}
