import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import {
  fastPassesCompiled,
  prepareValidators,
  validateParams,
  validateResult,
  validator,
  ValidatorWarmup,
} from '../../packages/contract/src/index.ts';

// Checks are compiled once per process and cached per schema object, and the test runner shares a
// process between files: so what is compiled before a test is unknown. The eager/lazy difference
// is shown on fresh schema objects; for the catalogue, what holds whatever ran before: once
// prepared, a capability's calls compile nothing.

test('an eager validator compiles its check at once; a lazy one on its first use, once', () => {
  const eager = Type.Object({ a: Type.String() });
  const lazy = Type.Object({ b: Type.Integer() });
  const before = fastPassesCompiled();
  const e = validator(eager, { eager: true });
  assert.equal(fastPassesCompiled() - before, 1);
  const l = validator(lazy);
  assert.equal(fastPassesCompiled() - before, 1, 'the lazy one is not compiled yet');
  assert.equal(l({ b: 1 }), null);
  assert.equal(fastPassesCompiled() - before, 2, 'compiled by its first use');
  assert.equal(e({ a: 'x' }), null);
  assert.notEqual(l({ b: 'x' }), null);
  assert.equal(validator(eager, { eager: true }), e, 'cached per schema object');
  assert.equal(fastPassesCompiled() - before, 2);
});

test('after prepareValidators, a capability\'s calls compile no check; an unknown name is false', () => {
  assert.equal(prepareValidators('CancelOrderById'), true);
  const prepared = fastPassesCompiled();
  assert.equal(prepareValidators('CancelOrderById'), true);
  assert.equal(validateParams('CancelOrderById', { orderId: 'ord-1' }), null);
  assert.notEqual(validateResult('CancelOrderById', { nonsense: true }), null);
  assert.equal(fastPassesCompiled(), prepared);
  assert.equal(prepareValidators('NoSuchCapability'), false);
});

test('a warm-up compiles in the background, each capability once, and skips names not in the catalogue', async () => {
  const w = new ValidatorWarmup({ params: true, result: true });
  const before = fastPassesCompiled();
  w.prepare(['SearchTables', 'NotACapability', 'SearchTables']);
  // Nothing is compiled in the turn that asked: the caller goes on at once.
  assert.equal(fastPassesCompiled(), before);
  assert.equal(w.compiled.size, 0);
  await w.idle();
  assert.deepEqual([...w.compiled], ['SearchTables']);
  const prepared = fastPassesCompiled();
  assert.equal(validateParams('SearchTables', {}), null);
  validateResult('SearchTables', { tables: [] });
  assert.equal(fastPassesCompiled(), prepared, 'its calls compile nothing');
});

test('a stopped warm-up drops its queue and takes nothing more; one with both checks off takes nothing', async () => {
  const w = new ValidatorWarmup({ params: true, result: true });
  w.prepare(['GetPartyById', 'SearchParties']);
  w.stop();
  await w.idle();
  w.prepare(['DeletePartyById']);
  await w.idle();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(w.compiled.size, 0);
  const off = new ValidatorWarmup({ params: false, result: false });
  off.prepare(['GetReservationById']);
  await off.idle();
  assert.equal(off.compiled.size, 0);
});
