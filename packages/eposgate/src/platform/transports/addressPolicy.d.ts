/**
 * Why `address` (an IP literal, brackets allowed) may not be a target — e.g. "a loopback address",
 * "an IPv4-mapped address (embeds 127.0.0.1)" — or undefined when it may. Not an IP: undefined.
 */
export declare function forbiddenAddress(address: string): string | undefined;
/** Why a host name or IP literal (as in a URL) may not be a target, before any resolution. */
export declare function forbiddenHost(hostname: string): string | undefined;
