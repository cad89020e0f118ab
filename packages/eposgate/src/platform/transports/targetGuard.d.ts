import { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
/** Every address of a host name (the system resolver by default; tests may stand in for DNS). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;
/** A `lookup` for net.connect / tls.connect that resolves, checks every address, and pins them. */
export declare function guardedLookup(resolve?: Resolve): LookupFunction;
/** An undici connector that refuses forbidden targets, whether named by IP or by a host name. */
export declare function guardedConnector(opts: {
    timeoutMs: number;
    resolve?: Resolve;
}): buildConnector.connector;
