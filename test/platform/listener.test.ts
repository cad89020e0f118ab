// The drain's last HTTP step (server/listener.ts): after the listener closes, a connection accepted
// shortly before whose request has not come yet is waited for, so that request is answered; a
// connection whose request already came is not waited for. Real sockets and real timers, with
// grace periods long enough that a busy machine cannot blur the two cases.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Listener } from '../../packages/eposgate/src/platform/server/listener.ts';

async function serve(t: TestContext, graceMs: number): Promise<{ server: Server; listener: Listener; port: number }> {
  const server = createServer((_req, res) => {
    // Kept alive: a connection that stays open after its answer, as a product's pool keeps it.
    res.writeHead(503, { 'content-length': '8' }).end('stopping');
  });
  const listener = new Listener(server, graceMs);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.closeAllConnections());
  return { server, listener, port: (server.address() as AddressInfo).port };
}

async function accepted(t: TestContext, server: Server, port: number): Promise<Socket> {
  const seen = once(server, 'connection');
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  await seen;
  return socket;
}

/** Sends a request on the socket and resolves with the answer's text. */
function ask(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d;
      if (text.endsWith('stopping')) resolve(text);
    });
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  });
}

test('a connection accepted just before the stop, its request not yet sent, is waited for; that request is answered', async (t) => {
  const { server, listener, port } = await serve(t, 1500);
  const socket = await accepted(t, server, port);
  let stopped = false;
  const stop = listener.stop().then(() => (stopped = true));
  assert.equal(server.listening, false, 'no new connection is taken');
  assert.match(await ask(socket), /^HTTP\/1\.1 503 /, 'the request that followed its connection is answered, not cut');
  assert.equal(stopped, false, 'the stop still waits (1.5 s after the accept)');
  await stop;
});

test('a connection whose request already came is not waited for', async (t) => {
  const { server, listener, port } = await serve(t, 60_000);
  const socket = await accepted(t, server, port);
  assert.match(await ask(socket), /^HTTP\/1\.1 503 /);
  // Were it waited for, the stop would take 60 s: 5 s is far more than the stop needs, and far less.
  const outcome = await Promise.race([listener.stop().then(() => 'stopped'), sleep(5000, 'still waiting', { ref: false })]);
  assert.equal(outcome, 'stopped');
  assert.equal(socket.destroyed, false, 'the connection is still open (kept alive)');
});

test('closed() resolves once the stopped server\'s last connection has closed, not before', async (t) => {
  const { server, listener, port } = await serve(t, 10);
  const socket = await accepted(t, server, port);
  assert.match(await ask(socket), /^HTTP\/1\.1 503 /);
  await listener.stop();
  let done = false;
  const t0 = performance.now();
  const closed = listener.closed(10_000).then(() => { done = true; });
  await sleep(100);
  assert.equal(done, false, 'the kept-alive connection is still open');
  server.closeAllConnections();
  await closed;
  assert.ok(performance.now() - t0 < 5000, 'resolved by the close, not by the 10 s bound');
});
