// Which capabilities the product-facing API mirrors, and where.
import { CAPABILITIES } from '@eposgate/contract';
export const DATA_PREFIX = '/epos/data';
/** Stable capabilities with a REST operation, excluding events (raised through /epos/data/v1/events). */
export function proxiedCapabilities() {
    return CAPABILITIES.filter((c) => c.status === 'stable' && c.rest && c.domain !== 'Events');
}
