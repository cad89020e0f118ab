// A call's id: opaque to clients, but it carries the time the call began, so the store finds a
// call by (tenant, time) on the index pages use and needs no index on the id itself.
import { randomBytes } from 'node:crypto';

const PREFIX = 'call_';
/** Base-36 digits of the time: 9 reach the year 5188. */
const TIME_DIGITS = 9;
const ID = /^call_([0-9a-z]{9})[0-9a-f]{20}$/;

/**
 * 32 random bits drawn once per process, then a 48-bit counter: unique across processes (and
 * restarts) but for a 1 in 2^32 draw that would also need the same millisecond and count, at a
 * fraction of a random draw per id (the call log mints one per call). A call is only ever read
 * within its own tenant, so an id need not be unguessable.
 */
const processPart = randomBytes(4).toString('hex');
/**
 * The 48-bit counter in two parts, so a call pays no number formatting: its last 12 bits index a
 * table of 3 hex digits, the other 36 are written again once every 4,096 calls.
 */
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
const HIGH_SPAN = 2 ** 36;
let high = Math.floor(Math.random() * 2 ** 28);
let low = Math.floor(Math.random() * 4096);
let highHex = high.toString(16).padStart(9, '0');

/** The last time's digits: a batch's calls mostly share their millisecond. */
let lastAt = -1;
let lastHead = '';

export function newCallId(atMs: number): string {
  if (++low === 4096) {
    low = 0;
    high = (high + 1) % HIGH_SPAN;
    highHex = high.toString(16).padStart(9, '0');
  }
  if (atMs !== lastAt) {
    lastAt = atMs;
    lastHead = `${PREFIX}${atMs.toString(36).padStart(TIME_DIGITS, '0')}${processPart}`;
  }
  return lastHead + highHex + HEX3[low]!;
}

/** The time (epoch ms) an id minted by newCallId carries; undefined for anything else. */
export function callIdTime(id: string): number | undefined {
  const m = ID.exec(id);
  return m ? parseInt(m[1]!, 36) : undefined;
}
