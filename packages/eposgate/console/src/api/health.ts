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
}

export interface Connections {
  connections: Connection[];
  registered: { ws: string[] | null; rest: { url: string; capabilities: string[] } | null };
}

export type ReadinessStatus = 'ready' | 'not ready' | 'not tested' | 'not applicable';

export interface ProductReadiness {
  product: string;
  status: ReadinessStatus;
  rule: string;
  capabilities: { name: string; need: 'required' | 'optional'; registered: boolean; proven: boolean | null; provenAt?: string }[];
  reasons: string[];
}

export const connections = (): Promise<Connections> => request('GET', '/epos/connections');
export const readiness = (): Promise<{ products: ProductReadiness[] }> => request('GET', '/epos/readiness');
