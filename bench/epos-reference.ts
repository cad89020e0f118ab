// B4 EPOS side: the reference restaurant (packages/eposgate/src/epos) over its own WebSocket, registered with every
// capability it implements. Env: PLATFORM_URL, API_KEY, DB_PATH.
import { runReferenceEpos } from '../packages/eposgate/src/epos/run.ts';
import { fatal, serveParent } from './lib.ts';

try {
  await runReferenceEpos({
    transport: 'ws', dbPath: process.env.DB_PATH!, platformUrl: process.env.PLATFORM_URL!,
    apiKey: process.env.API_KEY!, softwareHouseId: 'bench-reference',
  });
  process.send?.({ type: 'ready' });
} catch (err) {
  fatal(err);
}
serveParent(async () => ({}));
