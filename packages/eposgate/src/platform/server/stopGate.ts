// The HTTP side of a drain. Once stopped, every new request is refused with 503 PLATFORM_STOPPING
// (Retry-After, Connection: close) so a load balancer retries it on another node; the requests
// already in flight are counted, so the drain can wait for their answers before the server closes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { platformStopping } from '../errors.ts';
import { READYZ_PATH } from './readiness.ts';

export class StopGate {
  private stopping = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  get stopped(): boolean {
    return this.stopping;
  }

  /** Requests being served now (an open event stream counts until it ends). */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Called first for every request: throws PLATFORM_STOPPING once stopped, else counts it until its response closes. */
  admit(req: FastifyRequest, reply: FastifyReply): void {
    if (this.stopping) {
      // GET /readyz answers for itself while draining (503 naming the drain), uncounted.
      if (req.routeOptions.url === READYZ_PATH) return;
      throw platformStopping();
    }
    this.inFlight += 1;
    // One listener for every response, not a closure and a once-wrapper each: a response closes once.
    reply.raw.on('close', this.release);
  }

  private readonly release = (): void => {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.wake();
  };

  /** Answers still sent during the drain close their connection, so a keep-alive client moves on. */
  closeConnection(reply: FastifyReply): void {
    if (this.stopping && !reply.raw.headersSent) void reply.header('connection', 'close');
  }

  stop(): void {
    this.stopping = true;
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
