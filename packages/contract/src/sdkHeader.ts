// The upgrade header an EPOS may send to say which SDK (or its own software) opened the socket:
// `eposgate-sdk: <name>/<version>`, e.g. `@eposgate/sdk/0.1.0`. Informational only: the platform
// shows it (GET /epos/connections) and never trusts it, so a malformed value is ignored, not refused.
export const SDK_HEADER = 'eposgate-sdk';
/** Longest header value read; a longer one is ignored. */
export const SDK_HEADER_CHARS = 100;

export interface SdkInfo {
  name: string;
  version: string;
}

const NAME = /^[A-Za-z0-9@][A-Za-z0-9@._/-]{0,63}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;

export function formatSdkHeader(sdk: SdkInfo): string {
  return `${sdk.name}/${sdk.version}`;
}

/** The name and version in a header value, or undefined when absent, too long or malformed. */
export function parseSdkHeader(value: string | readonly string[] | undefined): SdkInfo | undefined {
  const v = typeof value === 'string' ? value.trim() : undefined;
  if (!v || v.length > SDK_HEADER_CHARS) return undefined;
  const slash = v.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const name = v.slice(0, slash);
  const version = v.slice(slash + 1);
  return NAME.test(name) && VERSION.test(version) ? { name, version } : undefined;
}
