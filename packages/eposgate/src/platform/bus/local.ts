// The default bus of a single node: requests and messages stay in this process, and presence has
// no peers. The platform routes nothing through it on the call path.
import { BusError, type Bus, type MessageHandler, type RequestHandler } from './bus.ts';
import { Presence } from './presence.ts';

export class InProcessBus implements Bus {
  readonly clustered = false;
  readonly connected = true;
  readonly presence = new Presence();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly subscribers = new Map<string, Set<MessageHandler>>();

  constructor(readonly nodeId = 'local') {}

  async request(node: string, subject: string, body: unknown): Promise<unknown> {
    const handler = node === this.nodeId ? this.handlers.get(subject) : undefined;
    if (!handler) throw new BusError('NO_RESPONDER', `no node "${node}" serves ${subject} (single-node platform)`);
    try {
      return await handler(body);
    } catch (err) {
      throw new BusError('HANDLER_FAILED', `${subject} failed: ${(err as Error).message}`);
    }
  }

  respond(subject: string, handler: RequestHandler): void {
    this.handlers.set(subject, handler);
  }

  publish(subject: string, body: unknown): void {
    const subs = this.subscribers.get(subject);
    // Asynchronous, as on NATS: a publisher never runs its subscribers inside its own call.
    if (subs?.size) queueMicrotask(() => { for (const h of subs) h(body, this.nodeId); });
  }

  subscribe(subject: string, handler: MessageHandler): () => void {
    const subs = this.subscribers.get(subject) ?? new Set<MessageHandler>();
    this.subscribers.set(subject, subs);
    subs.add(handler);
    return () => subs.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.subscribers.clear();
  }

  /** Its close never waits. */
  abort(): void {}
}
