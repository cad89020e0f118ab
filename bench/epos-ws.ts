// B1/B2/B9 EPOS side: one SDK WebSocket connection answering GetOrderById with the realistic order
// and accepting payment-intent events (B9), contract validation on (the SDK default).
// Env: PLATFORM_URL, API_KEY.
import { connect, defineEpos } from '../packages/sdk/src/index.ts';
import { fatal, orderFor, serveParent } from './lib.ts';

const epos = defineEpos({
  GetOrderById: async ({ orderId }) => orderFor(orderId) as never,
  'HandleEvent:payment_intent.created': async () => ({}) as never,
});
const conn = connect(epos, {
  url: process.env.PLATFORM_URL!.replace(/^http/, 'ws') + '/epos',
  apiKey: process.env.API_KEY!,
  softwareHouseId: 'bench-epos',
  reconnect: false,
});
conn.on('error', (err: Error) => fatal(err));
conn.once('connect', () => process.send?.({ type: 'ready' }));
serveParent(async () => ({}));
