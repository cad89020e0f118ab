// The last step of a drain on the HTTP side: stop taking connections before cutting the ones left.
// A load balancer retries a refused connection on another node (nothing was sent), but not a
// request cut unanswered; closing the listener and the connections in one step cut requests that
// had just arrived (HAProxy logged them SH--, 502), so a rolling restart lost calls.
import { Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import { settleWithin } from '../deadline.ts';

/** A connection's number in Listener's silent map while its first request has not come; 0 after. */
const SILENT_ID = Symbol('eposgate.listener.silentId');
type Tracked = Socket & { [SILENT_ID]?: number };

export class Listener {
  /**
   * When each connection accepted within the grace period whose first request has not come (or
   * that upgraded) was accepted, by its number, oldest first. A connection older than the grace
   * period is never waited for, so it is dropped here whether its request came or not. The sockets
   * themselves are in no Set or Map and get no listener of ours: with them, a stall under load
   * more often left V8 promoting every request's objects for good (BENCHMARKS.md, ninth pass).
   */
  readonly #silentAt = new Map<number, number>();
  #accepted = 0;
  /** Resolved once the stopped server has no connection left. */
  #drained?: Promise<void>;

  /** `graceMs`: how long after its accept a silent connection is waited for (tests set it). */
  constructor(private readonly server: Server, private readonly graceMs = 100) {
    server.on('connection', (s: Socket) => {
      const now = Date.now();
      this.#forgetBefore(now - graceMs);
      this.#accepted += 1;
      this.#silentAt.set(this.#accepted, now);
      (s as Tracked)[SILENT_ID] = this.#accepted;
    });
    // Not 'upgrade': a listener there would take upgrades the WS gateway no longer takes once it
    // stopped (Node answers those as plain requests while no one listens). So an EPOS socket stays
    // "silent", and one accepted within the grace period is waited for, as every connection was.
    server.on('request', (req: IncomingMessage) => {
      const s = req.socket as Tracked;
      const id = s[SILENT_ID];
      if (!id) return;
      s[SILENT_ID] = 0;
      this.#silentAt.delete(id);
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
    // net.Server calls back once its last connection has closed (it counts every socket it
    // accepted, upgraded ones included): what closed() waits for.
    this.#drained = new Promise((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    this.#forgetBefore(Date.now() - this.graceMs);
    let last = -Infinity;
    for (const at of this.#silentAt.values()) last = at;
    const wait = last + this.graceMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * After the server cut its connections: resolves once they have closed, as http.Server's own
   * close would (with the listener already closed, its callback no longer waits for them), so a
   * client on the same host sees them gone before the platform reports it stopped.
   */
  async closed(withinMs = 1000): Promise<void> {
    if (this.#drained) await settleWithin(this.#drained, withinMs);
  }

  /** Drops the connections accepted before `t` (the map is in accept order). */
  #forgetBefore(t: number): void {
    for (const [id, at] of this.#silentAt) {
      if (at >= t) return;
      this.#silentAt.delete(id);
    }
  }
}
