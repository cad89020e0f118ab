// Every flow of the catalogue succeeds against the reference EPOS, over WebSocket and over REST
// (the JSON-RPC protocol flows over WebSocket only).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { dump, runFlow, withReference, type Setup } from './helpers.ts';

const PARAMS: Record<string, Record<string, unknown>> = { 'Get Order': { orderId: 'ord_0001' } };

for (const transport of ['ws', 'rest'] as const) {
  describe(`every flow succeeds against the reference EPOS over ${transport}`, () => {
    let s: Setup;
    before(async () => { s = await withReference(transport); });
    after(async () => { await s.close(); });
    for (const flow of FLOWS.filter((f) => (f.transports ?? ['ws', 'rest']).includes(transport))) {
      it(flow.name, async () => {
        const r = await runFlow(s, flow.name, PARAMS[flow.name] ?? {});
        assert.equal(r.status, 'SUCCESS', dump(r));
        assert.equal(r.flowName, flow.flowName);
        assert.ok(r.finishedAt);
        for (const step of r.steps) assert.equal(step.status, 'SUCCESS', dump(r));
      });
    }
  });
}
