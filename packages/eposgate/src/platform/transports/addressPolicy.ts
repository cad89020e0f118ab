// Which addresses a REST EPOS target may not be: loopback, private, link-local, reserved, and the
// IPv6 forms that embed an IPv4 address. One policy for both the registration-time URL check and the
// connect-time check of what a host name resolves to (so the two can never disagree).
import { BlockList, isIP } from 'node:net';

interface Range {
  family: 'ipv4' | 'ipv6';
  list: BlockList;
  /** "a loopback address", … */
  kind: string;
  /** Where the range embeds an IPv4 address, the 16 bytes → that address. */
  embeds?: (b: Uint8Array) => string;
}

const v4At = (b: Uint8Array, i: number, invert = 0): string =>
  [b[i]! ^ invert, b[i + 1]! ^ invert, b[i + 2]! ^ invert, b[i + 3]! ^ invert].join('.');

// Order matters: the first range that holds an address names it (`::1` before `::/96`).
const RANGES: Array<[family: 'ipv4' | 'ipv6', subnets: Array<[string, number]>, kind: string, embeds?: (b: Uint8Array) => string]> = [
  ['ipv4', [['0.0.0.0', 8]], 'an unspecified ("this network") address'],
  ['ipv4', [['127.0.0.0', 8]], 'a loopback address'],
  ['ipv4', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]], 'a private address'],
  ['ipv4', [['100.64.0.0', 10]], 'a shared (carrier-grade NAT) address'],
  ['ipv4', [['169.254.0.0', 16]], 'a link-local address'],
  ['ipv4', [['192.0.0.0', 24]], 'an IETF protocol assignment address'],
  ['ipv4', [['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24]], 'a documentation address'],
  ['ipv4', [['192.88.99.0', 24]], 'a 6to4 relay anycast address'],
  ['ipv4', [['198.18.0.0', 15]], 'a benchmarking address'],
  ['ipv4', [['224.0.0.0', 4]], 'a multicast address'],
  ['ipv4', [['255.255.255.255', 32]], 'the broadcast address'],
  ['ipv4', [['240.0.0.0', 4]], 'a reserved address'],
  ['ipv6', [['::', 128]], 'an unspecified address'],
  ['ipv6', [['::1', 128]], 'a loopback address'],
  ['ipv6', [['::', 96]], 'an IPv4-compatible address', (b) => v4At(b, 12)],
  ['ipv6', [['::ffff:0:0', 96]], 'an IPv4-mapped address', (b) => v4At(b, 12)],
  ['ipv6', [['::ffff:0:0:0', 96]], 'an IPv4-translated (SIIT) address', (b) => v4At(b, 12)],
  ['ipv6', [['64:ff9b::', 96]], 'a NAT64 address', (b) => v4At(b, 12)],
  ['ipv6', [['64:ff9b:1::', 48]], 'a local-use NAT64 address'],
  ['ipv6', [['2002::', 16]], 'a 6to4 address', (b) => v4At(b, 2)],
  // Teredo carries the client's IPv4 address inverted in the last 32 bits.
  ['ipv6', [['2001::', 32]], 'a Teredo address', (b) => v4At(b, 12, 0xff)],
  ['ipv6', [['2001:db8::', 32]], 'a documentation address'],
  ['ipv6', [['fc00::', 7]], 'a private (unique local) address'],
  ['ipv6', [['fe80::', 10]], 'a link-local address'],
  ['ipv6', [['fec0::', 10]], 'a site-local address'],
  ['ipv6', [['ff00::', 8]], 'a multicast address'],
];

const POLICY: Range[] = RANGES.map(([family, subnets, kind, embeds]) => {
  const list = new BlockList();
  for (const [net, prefix] of subnets) list.addSubnet(net, prefix, family);
  return { family, list, kind, ...(embeds ? { embeds } : {}) };
});

/**
 * Why `address` (an IP literal, brackets allowed) may not be a target — e.g. "a loopback address",
 * "an IPv4-mapped address (embeds 127.0.0.1)" — or undefined when it may. Not an IP: undefined.
 */
export function forbiddenAddress(address: string): string | undefined {
  const a = address.replace(/^\[|\]$/g, '');
  const v = isIP(a);
  if (v === 0) return undefined;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches IPv4 rules against IPv4-mapped IPv6 addresses and back: only ask the lists of
  // the address's own family, so each range names itself.
  const r = POLICY.find((p) => p.family === family && p.list.check(a, family));
  if (!r) return undefined;
  if (!r.embeds) return r.kind;
  const v4 = r.embeds(ipv6Bytes(a));
  const inner = forbiddenAddress(v4);
  return `${r.kind} (embeds ${v4}${inner ? `, ${inner}` : ''})`;
}

/** Why a host name or IP literal (as in a URL) may not be a target, before any resolution. */
export function forbiddenHost(hostname: string): string | undefined {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h)) return forbiddenAddress(h);
  // `localhost.` is the same name as `localhost` (the root label), and *.localhost is loopback by RFC 6761.
  const name = h.endsWith('.') ? h.slice(0, -1) : h;
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback host';
  return undefined;
}

/** The 16 bytes of an IPv6 address (with or without a dotted IPv4 tail). Caller checked isIP === 6. */
function ipv6Bytes(a: string): Uint8Array {
  let s = a.replace(/%.*$/, '');
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (tail) {
    const [, p, q, r, t] = tail.map(Number) as [number, number, number, number, number];
    s = `${s.slice(0, tail.index)}${((p << 8) | q).toString(16)}:${((r << 8) | t).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const hs = head ? head.split(':') : [];
  const ts = rest ? rest.split(':') : [];
  const groups = rest === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  return out;
}
