import type { Environment } from '../tenant.ts';
export declare function generateKey(env: Environment): string;
export declare function hashKey(key: string): string;
/** What an operator sees of a key: enough to tell keys apart, useless to an attacker. */
export declare function keyHint(key: string): string;
export declare function envOfKey(key: string): Environment | undefined;
/** Is this a key someone could hold, by shape alone (for `--api-key`)? */
export declare function isWellFormedKey(key: string): boolean;
/**
 * Extracts the key from an Authorization header, or throws the 401 that says what is wrong with it.
 * The environment comes from the prefix.
 */
export declare function parseAuthorization(header: string | undefined): {
    key: string;
    env: Environment;
};
