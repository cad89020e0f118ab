// A TCP relay to a local service (PostgreSQL, NATS) that a test can break as a network would:
// cut() closes every connection (the peer sees it at once), freeze() lets nothing through while
// keeping every connection open and taking new ones (a host that stopped answering, a partition):
// the peer notices only by its own timeouts.
import { createConnection, createServer, type Socket } from 'node:net';

export interface Relay {
  port: number;
  freeze(): void;
  cut(): void;
}

export async function tcpRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<Relay> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const hold = (s: Socket) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); };
  const server = createServer((down) => {
    hold(down);
    if (frozen) return; // taken, never answered
    const up = createConnection(targetPort, targetHost);
    hold(up);
    // By hand, not pipe(): a frozen relay drops what arrives instead of passing it on.
    down.on('data', (b) => { if (!frozen) up.write(b); });
    up.on('data', (b) => { if (!frozen) down.write(b); });
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    freeze() { frozen = true; },
    cut() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
