// What a node can say to its peers: requests addressed to one node, and broadcast messages. The
// Bus offers it, and presence (presence.ts) is built on it; kept apart so presence need not know
// the Bus that carries it.

/** Answers a request addressed to this node; its return value (JSON) goes back to the caller. */
export type RequestHandler = (body: unknown) => unknown;
/** Receives a broadcast message; `from` is the publishing node (a node also hears itself). */
export type MessageHandler = (body: unknown, from: string) => void;

export interface Messaging {
  readonly nodeId: string;
  /**
   * Sends `body` to `subject` on node `node` only (never to several: a product call must run
   * once) and resolves with the handler's answer. Rejects with a BusError, at once with NODE_GONE
   * if presence finds that node dead before it answers.
   */
  request(node: string, subject: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** Serves requests addressed to this node on `subject`. One handler per subject. */
  respond(subject: string, handler: RequestHandler): void;
  /** Sends `body` to every node's subscribers of `subject`, best effort (lost while disconnected). */
  publish(subject: string, body: unknown): void;
  subscribe(subject: string, handler: MessageHandler): () => void;
}
