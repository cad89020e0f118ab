// The last step of a drain on the HTTP side: stop taking connections before cutting the ones left.
// A load balancer retries a refused connection on another node (nothing was sent), but not a
// request cut unanswered; closing the listener and the connections in one step cut requests that
// had just arrived (HAProxy logged them SH--, 502), so a rolling restart lost calls.
import { Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import { settleWithin } from '../deadline.ts';

export class Listener {
  readonly #open = new Set<Socket>();
  /** Connections accepted whose first request has not arrived yet (or that upgraded), with when each was accepted. */
  readonly #silent = new Map<Socket, number>();

  /** `graceMs`: how long after its accept a silent connection is waited for (tests set it). */
  constructor(private readonly server: Server, private readonly graceMs = 100) {
    server.on('connection', (s: Socket) => {
      this.#open.add(s);
      this.#silent.set(s, Date.now());
      s.once('close', () => {
        this.#open.delete(s);
        this.#silent.delete(s);
      });
    });
    // Not 'upgrade': a listener there would take upgrades the WS gateway no longer takes once it
    // stopped (Node answers those as plain requests while no one listens). So an EPOS socket stays
    // "silent", and one accepted within the grace period is waited for, as every connection was.
    server.on('request', (req: IncomingMessage) => {
      if (this.#silent.size > 0) this.#silent.delete(req.socket);
    });
  }

  /**
   * Stops taking connections, then waits until `graceMs` after the last one accepted that has not
   * sent its request yet: a request follows its connection within a round trip, and is answered
   * (503 PLATFORM_STOPPING, Connection: close) rather than cut. A connection whose request already
   * came is not waited for: a stop right after a call no longer waits 100 ms for nothing. net.Server's
   * close, not http.Server's: the latter also closes "idle" connections, which includes one accepted
   * whose request has not been parsed yet.
   */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    NetServer.prototype.close.call(this.server);
    let last = -Infinity;
    for (const at of this.#silent.values()) if (at > last) last = at;
    const wait = last + this.graceMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * After the server cut its connections: resolves once they have closed, as http.Server's own
   * close would (with the listener already closed, its callback no longer waits for them), so a
   * client on the same host sees them gone before the platform reports it stopped.
   */
  async closed(withinMs = 1000): Promise<void> {
    const closing = [...this.#open].map((s) => new Promise((r) => s.once('close', r)));
    await settleWithin(Promise.all(closing), withinMs);
  }
}
