// Thousands of WebSocket upgrades from one key: at most socketsPerTenant are open at once, the rest
// are refused 429 (TOO_MANY_SOCKETS, or the per-address upgrade rate with Retry-After), and file
// descriptors come back. Its own platform: the upgrade rate is per address, and every socket here
// comes from 127.0.0.1 like the victim's.
// test: long
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { ATTACKER, HOSTILE_LIMITS, arena, openSocket, pool, tally, underAttack, until, type Arena } from './helpers.ts';

let a: Arena;
before(async () => { a = await arena(); });
after(async () => { await a.close(); });

const fds = () => readdirSync('/proc/self/fd').length;

describe('many sockets from one key', () => {
  it('2,000 upgrades from one key: at most socketsPerTenant open, the rest refused 429, descriptors released', async () => {
    const fd0 = fds();
    const opened: WebSocket[] = [];
    let peakFds = fd0;
    try {
      const { result } = await underAttack(a, () => pool(Array.from({ length: 2000 }, (_, i) => i), 50, async () => {
        try {
          opened.push(await openSocket(a));
          return 'open';
        } catch (err) {
          const e = err as { status?: number; headers?: Record<string, string>; body?: string; message: string };
          peakFds = Math.max(peakFds, fds());
          if (e.status === undefined) return `error ${e.message}`;
          const code = (() => { try { return JSON.parse(e.body ?? '').error as string; } catch { return '?'; } })();
          return `${e.status} ${code}${e.headers?.['retry-after'] ? ' retry-after' : ''}`;
        }
      }));
      const counts = tally(result);
      assert.ok(opened.length <= HOSTILE_LIMITS.socketsPerTenant!, `${opened.length} sockets open for one tenant (cap ${HOSTILE_LIMITS.socketsPerTenant}): ${JSON.stringify(counts)}`);
      assert.ok(a.p.gateway.connectionCount(ATTACKER) <= HOSTILE_LIMITS.socketsPerTenant!);
      for (const k of Object.keys(counts)) {
        assert.ok(k === 'open' || k.startsWith('429 '), `refusals are 429s: ${JSON.stringify(counts)}`);
      }
      assert.ok(counts['429 TOO_MANY_SOCKETS'] || counts['429 TOO_MANY_SOCKETS retry-after'], `the socket cap refused some: ${JSON.stringify(counts)}`);
      assert.ok(Object.keys(counts).some((k) => k.endsWith('retry-after')), `the upgrade rate (${HOSTILE_LIMITS.upgradesPerSecond}/s, burst ${HOSTILE_LIMITS.upgradeBurst}) refused some with Retry-After: ${JSON.stringify(counts)}`);
      assert.ok(peakFds - fd0 < 400, `descriptors in use peaked at +${peakFds - fd0}`);
    } finally {
      for (const ws of opened) ws.terminate();
    }
    await until(() => a.p.gateway.connectionCount(ATTACKER) === 0, 'the attacker sockets to close');
    await until(() => fds() - fd0 < 20, `descriptors to come back (now +${fds() - fd0})`);
  });
});
