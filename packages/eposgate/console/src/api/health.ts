// Connections and readiness (console-api.md, "EPOS health").
import { request } from './http.ts';

export interface Connection {
  id: string;
  node: string;
  connectedAt: string;
  remoteAddress: string;
  sdk?: { name: string; version: string };
  lastPingAt?: string;
  lastPongAt?: string;
  inFlight: number;
  /** Calls on its node go to this socket (the newest open one there); absent on older platforms. */
  serving?: boolean;
}

export interface Connections {
  connections: Connection[];
  registered: { ws: string[] | null; rest: { url: string; capabilities: string[] } | null };
  /** Nodes that hold sockets of the tenant but did not answer: their sockets are missing above. */
  unreachable?: { node: string; reason: string }[];
}

export type ReadinessStatus = 'ready' | 'not ready' | 'not tested' | 'not applicable';

export interface ProductReadiness {
  product: string;
  status: ReadinessStatus;
  rule: string;
  capabilities: { name: string; need: 'required' | 'optional'; registered: boolean; proven: boolean | null; provenAt?: string }[];
  reasons: string[];
  /** Flows whose latest run passed and count for the product. */
  passed?: string[];
}

export const connections = (): Promise<Connections> => request('GET', '/epos/connections');
export const readiness = (): Promise<{ products: ProductReadiness[] }> => request('GET', '/epos/readiness');
