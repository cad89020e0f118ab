// Which capabilities the product-facing API mirrors, and where.
import { CAPABILITIES, pathParamNames, type Capability } from '@eposgate/contract';

export const DATA_PREFIX = '/epos/data';

/** Stable capabilities with a REST operation, excluding events (raised through /epos/data/v1/events). */
export function proxiedCapabilities(): Capability[] {
  return CAPABILITIES.filter((c) => c.status === 'stable' && c.rest && c.domain !== 'Events');
}

export interface ProductPath {
  /** The path under /epos/data, `{placeholders}` named as on every sibling route. */
  path: string;
  /** The route's placeholder names, in order. */
  routeNames: string[];
  /** The capability's param names for the same placeholders, in order. */
  paramNames: string[];
}

const shapeOf = (path: string) => path.replace(/\{[^}]+\}/g, '{}');

/**
 * The product-facing path of a capability. Routes on one path shape share their placeholder names
 * (the first catalogue row's), so `/v1/parties/{partyId}` is one path for GET, PUT and DELETE even
 * though UpdateParty's params call the party `id`: one path in the OpenAPI document and the router.
 */
export function productPath(cap: Capability): ProductPath {
  const rest = cap.rest!;
  const first = proxiedCapabilities().find((c) => shapeOf(c.rest!.path) === shapeOf(rest.path))!;
  const routeNames = pathParamNames(first.rest!.path);
  let i = 0;
  const path = DATA_PREFIX + rest.path.replace(/\{[^}]+\}/g, () => `{${routeNames[i++]}}`);
  return { path, routeNames, paramNames: pathParamNames(rest.path) };
}
