// A cluster node needs both halves: the shared PostgreSQL store and the NATS bus. Either alone
// refuses to start and says what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startPlatform } from '../../../packages/eposgate/src/platform/platform.ts';
import { tempDir } from '../../helpers/platform.ts';
import { testBus } from '../../helpers/cluster.ts';
import { schemaUrl } from '../store/pg.ts';

const SECRET = randomBytes(32).toString('base64');

test('a PostgreSQL store without a bus refuses to start and names --nats', async () => {
  await assert.rejects(startPlatform({ database: schemaUrl('never_created'), port: 0, secretKey: SECRET }),
    /PostgreSQL store \(cluster mode\) needs the cluster bus: give --nats .*EPOSGATE_NATS_URL/);
  await assert.rejects(startPlatform({ database: schemaUrl('never_created'), port: 0, secretKey: SECRET, nodeId: 'solo' }),
    /needs the cluster bus/, 'a node id alone does not make a cluster');
});

test('a NATS bus with the embedded SQLite store refuses to start, names --database, and closes the bus', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const bus = await testBus('lonely');
  await assert.rejects(startPlatform({ dataDir, port: 0, bus }),
    /NATS bus \(cluster mode\) needs the shared PostgreSQL store: give --database postgres:\/\/.*each node would keep its own keys/);
  assert.equal(bus.connected, false, 'the platform owned the bus it was given');
  await assert.rejects(startPlatform({ dataDir, port: 0, bus: 'nats://127.0.0.1:4222' }), /needs the shared PostgreSQL store/);
});
