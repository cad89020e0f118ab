// Which EPOS sockets a tenant has open, on every node: this node lists its own; each node presence
// says holds the tenant's sockets is asked for its list over the bus (addressed to that node, with a
// short timeout). A node that does not answer is reported beside the list, not an error: the
// answer is what could be seen now.
import type { SdkInfo } from '@eposgate/contract';
import type { Bus } from '../bus/index.ts';
import { tenantKey, type Tenant } from '../tenant.ts';
import type { EposGateway } from '../transports/ws/gateway.ts';

/** Subject of node-addressed "your sockets of this tenant" requests. */
export const WS_CONNECTIONS = 'ws.connections';
/** How long a node waits for each peer's list. */
export const PEER_TIMEOUT_MS = 1000;

export interface ConnectionView {
  id: string;
  node: string;
  connectedAt: string;
  remoteAddress: string;
  sdk?: SdkInfo;
  lastPingAt?: string;
  lastPongAt?: string;
  inFlight: number;
  /** The socket calls go to on its node (the newest open one there). */
  serving: boolean;
}

export interface UnreachableNode {
  node: string;
  reason: string;
}

export interface ConnectionList {
  connections: ConnectionView[];
  unreachable: UnreachableNode[];
}

export class ConnectionDirectory {
  constructor(private readonly gateway: EposGateway, private readonly bus: Bus, private readonly peerTimeoutMs = PEER_TIMEOUT_MS) {
    bus.respond(WS_CONNECTIONS, (body) => this.local((body as { tenant: Tenant }).tenant));
  }

  /** This node's open sockets of the tenant, newest first (the registry lists them as they came). */
  local(tenant: Tenant): ConnectionView[] {
    const serving = this.gateway.registry.current(tenant);
    return this.gateway.registry.list(tenant).filter((c) => c.open).map((c) => {
      const { lastPingAt, lastPongAt } = c.keepAlive;
      return {
        id: c.info.connectionId,
        node: this.bus.nodeId,
        connectedAt: c.info.connectedAt.toISOString(),
        remoteAddress: c.info.remoteAddress ?? 'unknown',
        ...(c.info.sdk ? { sdk: c.info.sdk } : {}),
        ...(lastPingAt ? { lastPingAt: new Date(lastPingAt).toISOString() } : {}),
        ...(lastPongAt ? { lastPongAt: new Date(lastPongAt).toISOString() } : {}),
        inFlight: c.inFlight,
        serving: c === serving,
      };
    }).reverse();
  }

  /** The tenant's open sockets on every node, newest first, and the nodes that did not answer. */
  async list(tenant: Tenant): Promise<ConnectionList> {
    const t: Tenant = { accountId: tenant.accountId, env: tenant.env };
    const peers = this.bus.presence.holders(tenantKey(t)).filter((n) => n !== this.bus.nodeId);
    const unreachable: UnreachableNode[] = [];
    const remote = await Promise.all(peers.map(async (node) => {
      try {
        const answer = await this.bus.request(node, WS_CONNECTIONS, { tenant: t }, this.peerTimeoutMs);
        if (Array.isArray(answer)) return answer as ConnectionView[];
        unreachable.push({ node, reason: 'the node answered something that is not a list of sockets (a different platform version?)' });
      } catch (err) {
        const code = (err as { code?: string }).code;
        unreachable.push({
          node,
          reason: code === 'TIMEOUT' ? `no answer within ${this.peerTimeoutMs} ms` : `${code ?? 'error'}: ${(err as Error).message}`,
        });
      }
      return [];
    }));
    // A stable sort: sockets opened in the same millisecond keep each node's newest-first order.
    const connections = [...this.local(t), ...remote.flat()].sort((a, b) => b.connectedAt.localeCompare(a.connectedAt));
    return { connections, unreachable };
  }
}
