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
    resolve(hostname).then(
      (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const all = family ? found.filter((a) => a.family === family) : found;
        // Any forbidden address refuses the name: a mix is how rebinding hides a private one.
        for (const a of found) {
          const why = forbiddenAddress(a.address);
          if (why) return callback(refused(hostname, a.address, why), '', 0);
        }
        const first = all[0];
        if (!first) {
          const e = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
          return callback(e, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, all);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
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
