// The connect-time half of the address policy: an undici connector whose DNS lookup refuses any
// address the policy forbids and hands net.connect exactly the addresses it checked, so a name cannot
// resolve to a public address for the check and a private one for the connection (DNS rebinding).
// IP literals never reach a lookup, so the connector checks them itself.
import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { PlatformError } from '../errors.ts';
import { forbiddenAddress } from './addressPolicy.ts';

/** Every address of a host name (the system resolver by default; tests may stand in for DNS). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

function refused(host: string, address: string, why: string): PlatformError {
  const what = host === address ? `the EPOS host ${host} is ${why}` : `the EPOS host ${host} resolves to ${address}, ${why}`;
  return new PlatformError('TARGET_FORBIDDEN',
    `${what}; the platform calls only public addresses: register the REST integration with a publicly reachable url (PUT /epos/integrations/rest)`);
}

/** A `lookup` for net.connect / tls.connect that resolves, checks every address, and pins them. */
export function guardedLookup(resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    // A throw while resolving or checking becomes the connection's error; the callback runs outside
    // the promise chain (as dns.lookup's does), so nothing here can end as an unhandled rejection.
    const answer = (result: LookupAddress[] | Error) => process.nextTick(() => {
      if (result instanceof Error) return callback(result, '', 0);
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, result);
      callback(null, result[0]!.address, result[0]!.family);
    });
    Promise.resolve(hostname).then(resolve).then((found) => checked(hostname, options, found))
      .then(answer, (err: unknown) => answer(err instanceof Error ? err : new Error(`lookup of ${hostname} failed: ${String(err)}`)));
  };
}

/** The addresses to connect to, or why not: every address is checked, then those of the asked family are kept. */
function checked(hostname: string, options: { family?: number | string | undefined }, found: LookupAddress[]): LookupAddress[] | Error {
  // Any forbidden address refuses the name: a mix is how rebinding hides a private one.
  for (const a of found) {
    const why = forbiddenAddress(a.address);
    if (why) return refused(hostname, a.address, why);
  }
  const family = options.family === 4 || options.family === 6 ? options.family : 0;
  const all = family ? found.filter((a) => a.family === family) : found;
  if (all.length === 0) return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  return all;
}

/** An undici connector that refuses forbidden targets, whether named by IP or by a host name. */
export function guardedConnector(opts: { timeoutMs: number; resolve?: Resolve }): buildConnector.connector {
  const connect = buildConnector({ timeout: opts.timeoutMs, lookup: guardedLookup(opts.resolve) } as buildConnector.BuildOptions);
  return (o, callback) => {
    const host = o.hostname.replace(/^\[|\]$/g, '');
    const why = forbiddenAddress(host);
    if (why) return callback(refused(host, host, why), null);
    return connect(o, callback);
  };
}
