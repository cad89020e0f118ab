// Opens the bus a platform was given: none → in-process (single node), a URL → NATS. NatsBus itself
// is imported from ./nats.ts.
import { checkNodeId, type Bus } from './bus.ts';
import { InProcessBus } from './local.ts';
import type { NatsBusOptions } from './nats.ts';

export { BusError, isBusError, type Bus } from './bus.ts';
export { InProcessBus } from './local.ts';
export { Presence } from './presence.ts';

export async function openBus(bus: Bus | string | undefined, nodeId?: string, opts: Partial<NatsBusOptions> = {}): Promise<Bus> {
  if (bus === undefined) return new InProcessBus(nodeId === undefined ? undefined : checkNodeId(nodeId));
  if (typeof bus !== 'string') return bus;
  if (!/^(nats|tls|wss?):\/\//.test(bus)) throw new Error(`the bus URL "${bus.slice(0, 120)}" must start with nats:// (e.g. nats://127.0.0.1:4222)`);
  // Loaded only when a URL asks for it: the NATS client costs every single-node process start-up time.
  const { NatsBus } = await import('./nats.ts');
  return NatsBus.connect({ ...opts, url: bus, ...(nodeId !== undefined ? { nodeId } : {}) });
}
