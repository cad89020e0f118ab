// Commands that start children of their own (npm → sh → node, bash → serve &) run in their own
// process group, so a test can stop all of them and know when they are gone.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** SIGTERM to the child's whole group; resolves once every process of it has exited. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 200; i++) {
    try { process.kill(-child.pid!, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process group ${child.pid} did not stop within 10 s`);
}

/**
 * A port nothing listens on right now (for commands that must be given one, as a user would).
 * Drawn below Linux's ephemeral range (32768–60999): a port from that range, freed and taken again
 * later (a node restarted on its port), could meanwhile be the local end of some outgoing
 * connection, and the restart failed with "already in use" (a CI run of the rolling restart).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port found in 20000–31999');
}

function bindable(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
