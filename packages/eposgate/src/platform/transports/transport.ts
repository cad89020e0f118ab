// What every way of reaching an EPOS looks like to the dispatcher. WS and REST implement it;
// callers cannot tell them apart.
import type { Capability } from '@eposgate/contract';
import type { Tenant } from '../tenant.ts';
import type { RequestorHeaders } from '@eposgate/contract';

export type { RequestorHeaders };

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Resolves with the EPOS result (parsed JSON, not yet validated), or rejects with a PlatformError:
 * EPOS_ERROR (extra.eposError holds the EPOSError as sent), EPOS_NOT_CONNECTED, EPOS_TIMEOUT,
 * EPOS_UNREACHABLE, EPOS_BAD_RESPONSE.
 */
export interface Transport {
  readonly kind: 'ws' | 'rest';
  call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown>;
}
