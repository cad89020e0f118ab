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

/** A port nothing listens on right now (for commands that must be given one, as a user would). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}
