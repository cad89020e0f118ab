// A call's id: opaque to clients, but it carries the time the call began, so the store finds a
// call by (tenant, time) on the index pages use and needs no index on the id itself.
import { randomUUID } from 'node:crypto';

const PREFIX = 'call_';
/** Base-36 digits of the time: 9 reach the year 5188. */
const TIME_DIGITS = 9;
const ID = /^call_([0-9a-z]{9})[0-9a-f]{20}$/;

/**
 * Unique (80 random bits) and opaque; randomUUID draws from a cached entropy pool (randomBytes
 * made a syscall per id).
 */
export function newCallId(atMs: number): string {
  return `${PREFIX}${atMs.toString(36).padStart(TIME_DIGITS, '0')}${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** The time (epoch ms) an id minted by newCallId carries; undefined for anything else. */
export function callIdTime(id: string): number | undefined {
  const m = ID.exec(id);
  return m ? parseInt(m[1]!, 36) : undefined;
}
