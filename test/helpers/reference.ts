// The published reference contract, in ../shared/reference beside the checkout. The tests that
// compare against it skip when it is absent, except under CI: there a missing reference fails them,
// so a broken checkout cannot pass by skipping the cross-check.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** $EPOSGATE_REFERENCE_SPEC_DIR, else ../shared/reference/spec beside the checkout. */
export const REFERENCE_SPEC_DIR = process.env.EPOSGATE_REFERENCE_SPEC_DIR || join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'shared', 'reference', 'spec');

/** $CI as CI services set it (true, 1, a name); unset, empty, "false" and "0" are not CI. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/**
 * True when every file is there. Otherwise skips the test (false), or under CI fails it naming the
 * missing files.
 */
export function haveReference(t: TestContext, files: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return true;
  const what = `reference spec not found: ${missing.join(', ')}`;
  if (underCi(env)) assert.fail(`${what}. CI is set, so the cross-check fails instead of skipping: put the published contract in ${REFERENCE_SPEC_DIR}`);
  t.skip(`${what}: cross-check skipped`);
  return false;
}
