// Hostile EPOSes on the WebSocket: silent, flooding, non-reading, garbage and deep frames. One
// platform for the file; the victim tenant's product calls run through every attack and must all
// succeed with p99 < 500 ms while the platform's RSS grows < 150 MB (helpers.ts BOUNDS).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { ORDER } from '../fixtures/contract.ts';
import { api } from '../helpers/platform.ts';
import { ATTACKER, HOSTILE_LIMITS, arena, attackerEpos, closeCode, pool, registerWs, tally, underAttack, until, type Arena } from './helpers.ts';

let a: Arena;
before(async () => {
  a = await arena();
  await registerWs(a.p.url, a.attackerKey, ['GetOrderById', 'CreateOrder']);
});
after(async () => { await a.close(); });

const attackerCall = (path: string, init: { method?: string; body?: unknown } = {}) =>
  api(a.p.url, init.method ?? 'GET', path, { key: a.attackerKey, ...(init.body !== undefined ? { body: init.body } : {}) });

/** A valid CreateOrder body of about `bytes`: many items with long (but allowed) names. */
function bigOrder(bytes: number): Record<string, unknown> {
  const name = 'n'.repeat(Math.min(HOSTILE_LIMITS.stringChars! - 1, 4000));
  const item = { ...ORDER.items[0], name };
  return {
    items: Array.from({ length: Math.ceil(bytes / (name.length + 200)) }, () => item),
    totalAmount: ORDER.totalAmount, dojoOrderId: 'dojo-big', payments: [],
    details: { orderType: 'Collection', collection: { asap: true } },
  };
}

async function gone(): Promise<void> {
  await until(() => a.p.gateway.connectionCount(ATTACKER) === 0, 'the attacker socket to be gone', 5000);
}

describe('hostile EPOS on the WebSocket', () => {
  it('a silent EPOS: its calls time out with 504 EPOS_TIMEOUT, the platform keeps serving, the victim is unaffected', async () => {
    const epos = await attackerEpos(a);
    try {
      const { result } = await underAttack(a, async () => {
        const gets = pool(Array.from({ length: 30 }, (_, i) => i), 30, (i) => attackerCall(`/epos/data/v1/orders/silent-${i}`));
        // A ~12 KB call once took the process down when its timeout fired with nothing listening.
        const big = attackerCall('/epos/data/v1/orders', { method: 'POST', body: bigOrder(12 * 1024) });
        return { gets: await gets, big: await big };
      });
      assert.deepEqual(tally(result.gets.map((r) => `${r.status} ${r.body?.error}`)), { '504 EPOS_TIMEOUT': 30 });
      assert.equal(result.big.status, 504, result.big.text.slice(0, 300));
      assert.ok(epos.frames.length >= 31, `the silent EPOS received the calls (${epos.frames.length})`);
      // Past every timeout: the process is alive and answers.
      await sleep(200);
      assert.equal((await api(a.p.url, 'GET', '/healthz')).status, 200);
    } finally {
      epos.ws.terminate();
      await gone();
    }
  });

  it('a flooding EPOS (frames far past framesPerSecond) is closed with 1008', async () => {
    const epos = await attackerEpos(a);
    const frame = JSON.stringify({ jsonrpc: '2.0', method: 'Ping', params: {} });
    try {
      const { result: code } = await underAttack(a, async () => {
        const closed = closeCode(epos.ws, 3000);
        for (let i = 0; i < 5000 && epos.ws.readyState === WebSocket.OPEN; i++) {
          epos.ws.send(frame, () => {});
          if (i % 200 === 0) await sleep(1);
        }
        return closed;
      });
      assert.equal(code, 1008, `close code of the flooding socket (${HOSTILE_LIMITS.framesPerSecond}/s, burst ${HOSTILE_LIMITS.frameBurst})`);
    } finally {
      epos.ws.terminate();
      await gone();
    }
  });

  it('a non-reading EPOS is closed once socketOutboundBytes are queued for it; its calls fail, memory stays bounded',
 async () => {
      const epos = await attackerEpos(a);
      // Stop reading: the kernel buffers fill, then the platform's queue for this socket grows.
      const tcp = (epos.ws as unknown as { _socket: import('node:net').Socket })._socket;
      tcp.pause();
      const body = bigOrder(480 * 1024);
      try {
        const { result } = await underAttack(a, async () => {
          const calls = pool(Array.from({ length: 60 }, (_, i) => i), 6, () => attackerCall('/epos/data/v1/orders', { method: 'POST', body }));
          await until(() => a.p.gateway.connectionCount(ATTACKER) === 0, 'the platform to drop the non-reading socket', 4000);
          return calls;
        });
        for (const r of result) assert.ok([502, 503, 504].includes(r.status), `a call to the non-reading EPOS: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(result.some((r) => r.status === 502 && r.body?.error === 'EPOS_UNREACHABLE'), `some calls failed as the socket closed: ${JSON.stringify(tally(result.map((r) => r.body?.error)))}`);
        const closed = closeCode(epos.ws, 3000);
        tcp.resume();
        assert.ok([1008, 1006].includes((await closed) ?? 0), 'the non-reading socket was closed (1008, or cut off without a close frame)');
      } finally {
        epos.ws.terminate();
        await gone();
      }
    });

  it('garbage frames (binary, non-JSON, arrays, wrong shapes, other ids) fail only the attacker\'s own calls', async () => {
    let n = 0;
    const garbage = (f: { id: string }): string | Buffer => {
      const id = f.id;
      const k = n++ % 12;
      return [
        Buffer.from([0, 1, 2, 255]),
        'not json at all {',
        '[1,2,3]',
        'null',
        '"a string"',
        JSON.stringify({ jsonrpc: '1.0', id, result: ORDER }),
        JSON.stringify({ jsonrpc: '2.0', id, result: ORDER, error: { errorType: 'NotFound' } }),
        JSON.stringify({ jsonrpc: '2.0', id, error: { what: 'no' } }),
        JSON.stringify({ jsonrpc: '2.0', id: { nested: id }, result: ORDER }),
        JSON.stringify({ jsonrpc: '2.0', id, result: { ...ORDER, totalAmount: 'lots' } }),
        // Neighbouring ids: calls of other sockets must not be answerable from this one.
        JSON.stringify({ jsonrpc: '2.0', id: bump(id, 1), result: { ...ORDER, id: 'HIJACKED' } }),
        JSON.stringify({ jsonrpc: '2.0', id: bump(id, -1), result: { ...ORDER, id: 'HIJACKED' } }),
      ][k]!;
    };
    const epos = await attackerEpos(a, () => ({ silent: true }));
    epos.ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { id: string };
      if (epos.ws.readyState === WebSocket.OPEN) epos.ws.send(garbage(f), () => {});
    });
    try {
      const { result } = await underAttack(a, () => pool(Array.from({ length: 24 }, (_, i) => i), 12, (i) => attackerCall(`/epos/data/v1/orders/g-${i}`)));
      const statuses = tally(result.map((r) => `${r.status} ${r.body?.error ?? r.body?.errorType}`));
      for (const r of result) {
        // A neighbouring-id answer may settle one of the attacker's OWN concurrent calls: that is its business.
        if (r.status === 200 && r.body?.id === 'HIJACKED') continue;
        assert.ok([502, 504].includes(r.status), `garbage answers give 502/504, got ${r.status}: ${r.text.slice(0, 200)} (${JSON.stringify(statuses)})`);
      }
      assert.ok(a.p.gateway.stats.badFrames + a.p.gateway.stats.binaryFrames > 0, 'the garbage was counted');
    } finally {
      epos.ws.terminate();
      await gone();
    }
  });

  it('a deeply nested frame from an EPOS is refused: the call fails 502/503/504, never 500 or 200, and the platform lives',
 async () => {
      const depth = 100_000;
      const epos = await attackerEpos(a, () => ({ silent: true }));
      epos.ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { id: string };
        const deep = '['.repeat(depth) + ']'.repeat(depth);
        epos.ws.send(`{"jsonrpc":"2.0","id":${JSON.stringify(f.id)},"result":${JSON.stringify({ ...ORDER }).slice(0, -1)},"extra":${deep}}}`, () => {});
        epos.ws.send(`{"jsonrpc":"2.0","method":"x","params":${deep}}`, () => {});
      });
      try {
        const { result } = await underAttack(a, () => pool([1, 2, 3, 4], 2, (i) => attackerCall(`/epos/data/v1/orders/deep-${i}`)));
        for (const r of result) assert.ok([502, 503, 504].includes(r.status), `a deep answer: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal((await api(a.p.url, 'GET', '/healthz')).status, 200);
      } finally {
        epos.ws.terminate();
        await gone();
      }
    });
});

/** The call id `delta` away from `id` when it ends in digits (ids once came from one global counter). */
function bump(id: string, delta: number): string {
  const m = /^(.*?)(\d+)$/.exec(id);
  return m ? `${m[1]}${Number(m[2]) + delta}` : `${id}x`;
}
