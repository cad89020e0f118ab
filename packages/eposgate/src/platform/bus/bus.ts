// The seam between platform nodes: node-addressed requests, broadcast messages, and presence
// (which node holds which tenant's EPOS sockets). The in-process bus serves one node; the NATS
// bus (nats.ts) joins several.
import type { Messaging } from './messaging.ts';
import type { Presence } from './presence.ts';

export type { Messaging, MessageHandler, RequestHandler } from './messaging.ts';

export interface Bus extends Messaging {
  /**
   * False for the in-process bus: there are no peers, so the platform routes nothing and calls
   * go straight to the local socket (no cost on the hot path).
   */
  readonly clustered: boolean;
  /** False while the bus cannot reach its peers (NATS down); local work goes on. */
  readonly connected: boolean;
  readonly presence: Presence;
  /** Says goodbye to the peers (they drop this node's presence at once) and disconnects. */
  close(): Promise<void>;
  /** Drops the connection at once, without goodbye: for a drain whose close() did not finish in time (NATS not answering). */
  abort(): void;
}

export type BusErrorCode =
  /** Nobody serves that subject on that node: the node is gone (the request never ran). */
  | 'NO_RESPONDER'
  /** No answer within the timeout: the request may have run. */
  | 'TIMEOUT'
  /**
   * Presence found the node dead (silent past its TTL, or nobody serves its subjects) while the
   * request was in flight: the request may have run.
   */
  | 'NODE_GONE'
  /** The bus is disconnected (NATS down) or closed: the request was not sent. */
  | 'UNAVAILABLE'
  /** The remote handler threw. */
  | 'HANDLER_FAILED';

export class BusError extends Error {
  constructor(readonly code: BusErrorCode, message: string) {
    super(message);
    this.name = 'BusError';
  }
}

export function isBusError(e: unknown): e is BusError {
  return e instanceof BusError;
}

/** Node ids appear in subjects: letters, digits, "_" and "-" only. */
export function checkNodeId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new Error(`node id "${id.slice(0, 80)}" must be 1-64 letters, digits, "_" or "-" (it is used in NATS subjects)`);
  }
  return id;
}
