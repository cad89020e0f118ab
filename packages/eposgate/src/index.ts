// eposgate as a library: start the platform in-process (the CLI's `serve` does the same).
export { startPlatform, DEFAULTS } from './platform/platform.ts';
export type { Platform, StartPlatformOptions, DrainOptions } from './platform/platform.ts';
export type { Tenant, Environment } from './platform/tenant.ts';
/** @deprecated The SDK's PlatformOptions (how an EPOS reaches the platform) shares the name: use StartPlatformOptions. */
export type { StartPlatformOptions as PlatformOptions } from './platform/platform.ts';
