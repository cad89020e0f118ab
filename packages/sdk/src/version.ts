// This SDK's name and version, sent on the WebSocket upgrade (SDK_HEADER) so the platform can show
// which SDK each EPOS socket runs. Read from package.json, which ships in the package beside dist/.
import { readFileSync } from 'node:fs';
import type { SdkInfo } from '@eposgate/contract';

export const SDK: SdkInfo = { name: '@eposgate/sdk', version: packageVersion() };

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
