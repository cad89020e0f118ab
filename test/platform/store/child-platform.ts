// A platform in its own process (for crash tests): starts on DATA_DIR, reports its URL over IPC.
import { startPlatform } from '../../../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../../../packages/eposgate/src/platform/limits.ts';

const p = await startPlatform({ dataDir: process.env.DATA_DIR!, port: 0, limits: UNLIMITED_RATES });
process.send?.({ url: p.url });
