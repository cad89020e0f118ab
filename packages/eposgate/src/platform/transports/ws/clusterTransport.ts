// WS transport of a cluster node: a call runs on this node's socket when it holds one, else it is
// sent to the one node that holds the tenant's socket (presence), which runs it on its socket and
// sends back the result or the typed error, as if the call had been local. Never broadcast: a
// call runs at most once on the EPOS.
import { findCapability, type Capability } from '@eposgate/contract';
import { PlatformError, isPlatformError, type ErrorCode, type FieldIssue } from '../../errors.ts';
import { tenantKey, type Tenant } from '../../tenant.ts';
import { isBusError, type Bus } from '../../bus/index.ts';
import { cancelledError } from '../eposAnswer.ts';
import type { CallOptions, RequestorHeaders, Transport } from '../transport.ts';
import type { EposGateway } from './gateway.ts';
import { DEFAULT_CONNECT_GRACE_MS, type WsTransport } from './wsTransport.ts';

/** Subject of node-addressed WS calls. */
export const WS_CALL = 'ws.call';
/** Time a node may take beyond the call's own timeout to send the answer back. */
const ANSWER_SLACK_MS = 1000;

interface RemoteCall {
  tenant: Tenant;
  capability: string;
  params: Record<string, unknown>;
  headers: RequestorHeaders;
  timeoutMs: number;
}

interface WireError { code: ErrorCode; message: string; status: number; details?: FieldIssue[]; extra?: Record<string, unknown> }
type RemoteAnswer = { result: unknown } | { error: WireError } | { notHere: true };

export interface ClusterWsTransportOptions {
  connectGraceMs?: number;
}

export class ClusterWsTransport implements Transport {
  readonly kind = 'ws' as const;
  private readonly connectGraceMs: number;

  constructor(private readonly local: WsTransport, private readonly gateway: EposGateway, private readonly bus: Bus, opts: ClusterWsTransportOptions = {}) {
    this.connectGraceMs = opts.connectGraceMs ?? DEFAULT_CONNECT_GRACE_MS;
    // Presence follows the gateway: this node holds a tenant while it has an open socket of it.
    gateway.on('connect', ({ caller }) => bus.presence.hold(tenantKey(caller), true));
    gateway.on('disconnect', ({ caller }) => bus.presence.hold(tenantKey(caller), gateway.connectionCount(caller) > 0));
    bus.respond(WS_CALL, (body) => this.serve(body as RemoteCall));
  }

  /** A socket is open for the tenant on this node or any other (decides WS vs REST cluster-wide). */
  connected(tenant: Tenant): boolean {
    return this.gateway.isConnected(tenant) || this.bus.presence.holder(tenantKey(tenant)) !== undefined;
  }

  async call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown> {
    const started = performance.now();
    const key = tenantKey(tenant);
    const graceEnd = started + Math.min(this.connectGraceMs, opts.timeoutMs);
    for (;;) {
      // Whole milliseconds: the figure appears in EPOS_TIMEOUT messages.
      const left = Math.round(opts.timeoutMs - (performance.now() - started));
      if (this.gateway.isConnected(tenant) || this.gateway.shuttingDown) return this.local.call(tenant, capability, params, headers, { ...opts, timeoutMs: left });
      if (!this.bus.connected) return this.localOnly(tenant, capability, params, headers, { ...opts, timeoutMs: left }, graceEnd);
      const node = this.bus.presence.holder(key);
      if (node) {
        const answer = await this.forward(node, { tenant: { accountId: tenant.accountId, env: tenant.env }, capability: capability.name, params, headers, timeoutMs: left }, opts.signal);
        if (!('notHere' in answer)) return 'result' in answer ? answer.result : Promise.reject(fromWire(answer.error));
        // That node lost the socket since presence said otherwise: wait for presence to catch up.
      }
      const wait = graceEnd - performance.now();
      if (wait <= 0) throw new PlatformError('EPOS_NOT_CONNECTED', 'no EPOS WebSocket connected for this account/environment on any platform node');
      await this.bus.presence.changed(key, wait, opts.signal);
      if (opts.signal?.aborted) throw cancelledError(opts.signal);
    }
  }

  /**
   * The bus is down: this node cannot know whether another holds the socket, so it waits the grace
   * for one here and otherwise says the cluster is unreachable rather than "not connected".
   */
  private async localOnly(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions, graceEnd: number): Promise<unknown> {
    const conn = await this.gateway.registry.waitFor(tenant, graceEnd - performance.now(), opts.signal);
    if (conn) return this.local.call(tenant, capability, params, headers, opts);
    throw new PlatformError('CLUSTER_UNAVAILABLE',
      'this platform node has lost its cluster bus (NATS) and holds no EPOS socket for this account/environment; retry, or call another node');
  }

  private async forward(node: string, call: RemoteCall, signal?: AbortSignal): Promise<RemoteAnswer> {
    try {
      // A node that dies mid-call is dropped from presence within its TTL, and the bus fails the
      // request then (NODE_GONE): no watcher or race per call on this path.
      const sent = this.bus.request(node, WS_CALL, call, call.timeoutMs + ANSWER_SLACK_MS) as Promise<RemoteAnswer>;
      return await (signal ? abortable(sent, signal) : sent);
    } catch (err) {
      if (isPlatformError(err) || !isBusError(err)) throw err;
      switch (err.code) {
        // The node is gone and the call never reached it: forget it and look again.
        case 'NO_RESPONDER':
          this.bus.presence.dropNode(node);
          return { notHere: true };
        case 'NODE_GONE':
          throw new PlatformError('EPOS_UNREACHABLE',
            `platform node ${node}, which holds the EPOS socket, left the cluster mid-call; the call may have executed and is not retried`);
        case 'TIMEOUT':
          throw new PlatformError('EPOS_UNREACHABLE', `platform node ${node}, which holds the EPOS socket, did not answer within ${Math.round(call.timeoutMs + ANSWER_SLACK_MS)} ms; the call may have executed and is not retried`);
        case 'UNAVAILABLE':
          throw new PlatformError('CLUSTER_UNAVAILABLE', `the EPOS socket is on platform node ${node}, which this node cannot reach: ${err.message}`);
        default:
          throw new PlatformError('INTERNAL', `platform node ${node} failed to run the call: ${err.message}`);
      }
    }
  }

  /** On the node holding the socket: runs a call another node forwarded. */
  private async serve(call: RemoteCall): Promise<RemoteAnswer> {
    const cap = findCapability(call?.capability);
    if (!cap || !call.tenant || typeof call.timeoutMs !== 'number') {
      return { error: toWire(new PlatformError('INTERNAL', 'a forwarded call was malformed (platform nodes of different versions?)')) };
    }
    if (!this.gateway.isConnected(call.tenant)) return { notHere: true };
    try {
      return { result: await this.local.call(call.tenant, cap, call.params ?? {}, call.headers ?? {}, { timeoutMs: call.timeoutMs }) };
    } catch (err) {
      return { error: toWire(isPlatformError(err) ? err : new PlatformError('INTERNAL', 'unexpected error running a forwarded call')) };
    }
  }
}

function toWire(e: PlatformError): WireError {
  return { code: e.code, message: e.message, status: e.status, ...(e.details ? { details: e.details } : {}), ...(e.extra ? { extra: e.extra } : {}) };
}

function fromWire(w: WireError): PlatformError {
  return new PlatformError(w.code, w.message, { status: w.status, ...(w.details ? { details: w.details } : {}), ...(w.extra ? { extra: w.extra } : {}) });
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
