// B1 baseline EPOS side: a bare `ws` client that answers each JSON-RPC request with the same
// realistic order (parse, build, stringify; no SDK, no validation). Env: WS_URL.
import WebSocket from 'ws';
import { fatal, orderFor, serveParent } from './lib.ts';

const ws = new WebSocket(process.env.WS_URL!, { perMessageDeflate: false });
ws.on('error', (err) => fatal(err));
ws.on('open', () => process.send?.({ type: 'ready' }));
ws.on('message', (data) => {
  const req = JSON.parse(data.toString()) as { id: string; params: { orderId: string } };
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: orderFor(req.params.orderId) }));
});
serveParent(async () => ({}));
