// A short seeded slice of `npm run fuzz`: the same surfaces and checks (no undocumented 5xx, no
// crash, no hang, bounded RSS), 200 requests per HTTP surface and 200 WS frames, fixed seed.
// test: long
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFuzz } from '../../fuzz/run.ts';

const SEED = 20261127;
const RUNS = 200;

describe('fuzz slice', () => {
  it(`seed ${SEED}, ${RUNS} per surface: no 5xx beyond documented EPOS outcomes, no crash, no hang, RSS bounded`, async () => {
      const r = await runFuzz({ seed: SEED, runs: RUNS, concurrency: 8, hangMs: 10_000, rssBoundMb: 300 });
      const report = r.failures.slice(0, 5).map((f) => `[${f.surface} #${f.index} ${f.kind}] ${f.request.slice(0, 400)}\n  → ${f.response.slice(0, 400)}`).join('\n');
      assert.equal(r.failureCount, 0, `${r.failureCount} failure(s), seed ${SEED}:\n${report}`);
      const surfaces = r.reports.map((s) => s.surface);
      assert.deepEqual(surfaces, ['registration', 'data', 'events', 'tester', 'auth', 'ws-frames']);
      for (const s of r.reports) {
        if (s.surface === 'ws-frames') assert.ok(Number((s.extra as { frames: number }).frames) >= RUNS, `ws-frames sent ${JSON.stringify(s.extra)}`);
        else assert.ok(s.requests + s.clientRefused === RUNS, `${s.surface}: ${s.requests} answered + ${s.clientRefused} refused by the client of ${RUNS}`);
      }
    });
});
