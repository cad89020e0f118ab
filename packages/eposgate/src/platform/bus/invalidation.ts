// Cluster-wide cache invalidation: a registration written or a key revoked on one node is dropped
// from every other node's cache as soon as the message arrives (the caches' TTLs are the fallback).
import type { KeyService } from '../auth/keys.ts';
import type { Registry } from '../registry/registry.ts';
import type { Tenant } from '../tenant.ts';
import type { Bus } from './bus.ts';

const SUBJECT = 'invalidate';

type Invalidation = { kind: 'registration'; tenant: Tenant } | { kind: 'key'; keyId: string };

export function shareInvalidations(bus: Bus, registry: Registry, keys: KeyService): () => void {
  registry.onChange((tenant) => bus.publish(SUBJECT, { kind: 'registration', tenant: { accountId: tenant.accountId, env: tenant.env } }));
  // Only revokes made here are told: one a peer told us about is not echoed back.
  keys.on('revoked', (keyId, origin) => { if (origin !== 'peer') bus.publish(SUBJECT, { kind: 'key', keyId }); });
  return bus.subscribe(SUBJECT, (body, from) => {
    if (from === bus.nodeId) return;
    const m = body as Invalidation;
    if (m?.kind === 'registration' && m.tenant && typeof m.tenant.accountId === 'string') registry.invalidate(m.tenant);
    else if (m?.kind === 'key' && typeof m.keyId === 'string') keys.revokedByPeer(m.keyId);
  });
}
