// The drain's last HTTP step (server/listener.ts): after the listener closes, a connection accepted
// in the last 100 ms whose request has not come yet is waited for, so that request is answered;
// a connection whose request already came is not. Real sockets; the clock is node:test's mock, so
// "100 ms" is asserted without a timed test.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Listener } from '../../packages/eposgate/src/platform/server/listener.ts';

async function serve(t: TestContext): Promise<{ server: Server; listener: Listener; port: number }> {
  const server = createServer((_req, res) => {
    // Kept alive: a connection that stays open after its answer, as a product's pool keeps it.
    res.writeHead(503, { 'content-length': '8' }).end('stopping');
  });
  const listener = new Listener(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.closeAllConnections());
  return { server, listener, port: (server.address() as AddressInfo).port };
}

async function accepted(server: Server, port: number): Promise<Socket> {
  const seen = once(server, 'connection');
  const socket = connect(port, '127.0.0.1');
  await seen;
  return socket;
}

/** Lets real I/O and promise callbacks run (the mock clock does not move). */
const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d;
      if (text.endsWith('stopping')) resolve(text);
    });
  });
}

test('a connection accepted just before the stop, its request not yet sent, is waited for 100 ms after its accept; that request is answered', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { server, listener, port } = await serve(t);
  const socket = await accepted(server, port);
  t.after(() => socket.destroy());
  t.mock.timers.tick(30);

  let stopped = false;
  void listener.stop().then(() => (stopped = true));
  await settle();
  assert.equal(stopped, false, 'the stop waits for the silent connection');

  const answer = answerOf(socket);
  socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.match(await answer, /^HTTP\/1\.1 503 /, 'the request that followed its connection is answered, not cut');
  t.mock.timers.tick(69);
  await settle();
  assert.equal(stopped, false, '99 ms after the accept it still waits');
  t.mock.timers.tick(1);
  await settle();
  assert.equal(stopped, true, '100 ms after the accept the stop is done');
});

test('a connection whose request already came is not waited for', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { server, listener, port } = await serve(t);
  const socket = await accepted(server, port);
  t.after(() => socket.destroy());
  const answer = answerOf(socket);
  socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.match(await answer, /^HTTP\/1\.1 503 /);

  let stopped = false;
  void listener.stop().then(() => (stopped = true));
  await settle();
  assert.equal(socket.destroyed, false, 'the connection is still open (kept alive)');
  assert.equal(stopped, true, 'the stop is done without the clock moving');
  assert.equal(server.listening, false, 'the listener is closed');
});
