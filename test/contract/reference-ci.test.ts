// A missing reference spec skips the cross-check on a developer's machine, and fails it under CI.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { haveReference, underCi } from '../helpers/reference.ts';

const MISSING = '/nonexistent/shared/reference/spec/epos-data-rest.openapi.json';

function context(): { t: TestContext; skipped: string[] } {
  const skipped: string[] = [];
  return { t: { skip: (msg?: string) => void skipped.push(msg ?? '') } as unknown as TestContext, skipped };
}

test('without CI a missing reference skips, naming the file', () => {
  const { t, skipped } = context();
  assert.equal(haveReference(t, [MISSING], {}), false);
  assert.deepEqual(skipped, [`reference spec not found: ${MISSING}: cross-check skipped`]);
});

test('with CI set a missing reference fails, naming the file and why it is not skipped', () => {
  for (const CI of ['true', '1', 'github-actions']) {
    const { t, skipped } = context();
    assert.throws(() => haveReference(t, [MISSING], { CI }), (e: Error) =>
      e.message.startsWith(`reference spec not found: ${MISSING}. CI is set, so the cross-check fails instead of skipping`));
    assert.deepEqual(skipped, []);
  }
});

test('a reference that is there passes, CI or not; CI=false and CI=0 are not CI', () => {
  const { t, skipped } = context();
  assert.equal(haveReference(t, [fileURLToPath(import.meta.url)], { CI: 'true' }), true);
  assert.deepEqual(skipped, []);
  assert.deepEqual(['false', '0', '', undefined].map((CI) => underCi({ CI })), [false, false, false, false]);
});
