// The fault matrix: every flow that declares `faults` fails against the reference EPOS told to
// commit each of them, over each transport the flow applies to, with a message naming the rule
// broken. (flows.test.ts checks the other half: with no fault, every flow succeeds.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { parseFault, type Fault } from '../../../packages/eposgate/src/epos/faults.ts';
import { runReferenceEpos, type RunningEpos } from '../../../packages/eposgate/src/epos/run.ts';
import type { FlowResult } from '../../../packages/eposgate/src/platform/tester/types.ts';
import { dump, newPlatform, runFlow, SHID } from './helpers.ts';
import type { TestPlatform } from '../../helpers/platform.ts';

const PARAMS: Record<string, Record<string, unknown>> = { 'Get Order': { orderId: 'ord_0001' } };
/** The tester's time for each call: short, so timeout faults settle fast. */
const CALL_TIMEOUT_MS = 600;

/** What the failure must say for a fault of this kind (the logic kinds: a failed semantic check). */
function expectFailure(f: Fault, r: FlowResult & { steps: any[] }): void {
  const failed = r.steps.filter((s) => s.status !== 'SUCCESS');
  const text = failed.flatMap((s) => s.additionalInformation as string[]).join('\n');
  if (f.kind === 'timeout' || f.kind === 'delay') {
    // A delay only breaks a flow when it outlasts the call timeout. A call timing out stops a flow
    // TIMED_OUT; a flow whose rule is the time itself (50 concurrent calls) fails naming it.
    assert.ok(r.status === 'TIMED_OUT' || r.status === 'FAILURE', dump(r));
    assert.match(text, /(did not answer|no answer|not answered).* within \d+ ms/, dump(r));
    return;
  }
  assert.equal(r.status, 'FAILURE', dump(r));
  switch (f.kind) {
    case 'error':
      assert.match(text, new RegExp(`answered ${f.errorType}`), dump(r));
      break;
    case 'contract':
      assert.match(text, /breaks the contract/, dump(r));
      break;
    case 'disconnect':
      assert.match(text, /disconnected mid-call|connection closed by the EPOS/, dump(r));
      break;
    default:
      // duplicates, ignore-locks: the EPOS answered, wrongly; a check must name the rule.
      assert.ok(failed.some((s) => (s.problems ?? []).length > 0) || /must|expected|refused|should/i.test(text), dump(r));
      assert.doesNotMatch(text, /injected fault/, 'the flow itself must catch it, not read it off the EPOS');
  }
}

const cases = FLOWS.flatMap((flow) => (flow.faults ?? []).map((spec) => ({ flow, spec })));

it('the matrix is not empty: flows declare the faults they catch', () => {
  assert.ok(cases.length >= FLOWS.length, `${cases.length} cases for ${FLOWS.length} flows`);
  for (const { flow, spec } of cases) assert.doesNotThrow(() => parseFault(spec), `${flow.name}: ${spec}`);
});

// The two transports at once (each has its own platform and EPOS; most of a case is waiting); the
// cases of one transport one at a time, as they share its EPOS's faults.
describe('the fault matrix, over both transports at once', { concurrency: 2 }, () => {
  for (const transport of ['ws', 'rest'] as const) {
    describe(`each flow fails when the reference EPOS commits its faults, over ${transport}`, { concurrency: 1 }, () => {
      let platform: TestPlatform;
      let key: string;
      let epos: RunningEpos;
      before(async () => {
        ({ platform, key } = await newPlatform({ testerCallTimeoutMs: CALL_TIMEOUT_MS }));
        epos = await runReferenceEpos({ transport, platformUrl: platform.url, apiKey: key, softwareHouseId: SHID, dbPath: ':memory:' });
      });
      after(async () => {
        await epos.close();
        await platform.destroy();
      });

      for (const { flow, spec } of cases) {
        if (flow.transports && !flow.transports.includes(transport)) continue;
        it(`${flow.name} fails under ${spec}`, async () => {
          const fault = parseFault(spec);
          epos.reference.faults.set([fault]);
          try {
            const r = await runFlow({ platform, key }, flow.name, PARAMS[flow.name] ?? {});
            expectFailure(fault, r);
          } finally {
            epos.reference.faults.clear();
            epos.reference.faults.release();
            // A dropped socket comes back by itself; the next case needs it.
            if (epos.connection && !epos.connection.connected) await once(epos.connection, 'connect');
          }
        });
      }
    });
  }
});
