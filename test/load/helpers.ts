// The reference EPOS behind the SDK's REST handler on a real HTTP server (real clock), optionally
// wrapped to break a rule, for `eposgate load --epos-url` to load.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { restHandler, type Epos } from '../../packages/sdk/src/index.ts';

export const USER = 'dojo';
export const PASS = 'load-s3cret';

export interface RestEpos { url: string; epos: Epos; close(): Promise<void> }

export async function startRestEpos(wrap: (e: Epos) => Epos = (e) => e): Promise<RestEpos> {
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  const epos = wrap(ref.epos);
  const server = createServer(restHandler(epos, { username: USER, password: PASS }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    epos,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      ref.close();
    },
  };
}

/**
 * An EPOS that double-counts a replayed payment: a RecordOrderPaymentById whose paymentIntentId it
 * has seen is recorded again under a fresh id, as an EPOS without idempotency would.
 */
export function doubleCountsReplays(inner: Epos): Epos {
  const seen = new Set<string>();
  let n = 0;
  return {
    capabilities: inner.capabilities,
    implements: (name) => inner.implements(name),
    invoke(name, params, call) {
      if (name === 'RecordOrderPaymentById') {
        const p = params as { paymentIntentId: string };
        if (seen.has(p.paymentIntentId)) return inner.invoke(name, { ...p, paymentIntentId: `${p.paymentIntentId}-again-${++n}` }, call);
        seen.add(p.paymentIntentId);
      }
      return inner.invoke(name, params, call);
    },
  };
}
