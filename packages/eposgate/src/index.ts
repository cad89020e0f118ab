// eposgate as a library: start the platform in-process (the CLI's `serve` does the same).
export { startPlatform, DEFAULTS } from './platform/platform.ts';
export type { Platform, PlatformOptions } from './platform/platform.ts';
export type { Tenant, Environment } from './platform/tenant.ts';
