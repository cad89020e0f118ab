// The one table every capability fact lives in. Registration, WS method names, REST routes,
// the product-facing proxy, validation, SDK types and tester flows all read it.
import type { TSchema } from '@sinclair/typebox';
import * as S from './schemas.ts';

export type Domain =
  | 'Orders'
  | 'Order locking'
  | 'Order and Pay'
  | 'Parties'
  | 'Reservations'
  | 'Tables & areas'
  | 'Events';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRoute {
  method: HttpMethod;
  /** Path relative to the EPOS base URL, with `{param}` placeholders taken from the params object. */
  path: string;
}

export interface CapabilityDef {
  /** Registration name, wire-aligned (the guide's table). */
  name: string;
  /** Older registration names that mean the same capability. */
  aliases: readonly string[];
  status: 'stable' | 'preview';
  domain: Domain;
  /** JSON-RPC method over the WebSocket transport. */
  wsMethod: string;
  /** REST operation on the EPOS; absent for previews (no published contract). */
  rest?: RestRoute;
  /** Params as sent over JSON-RPC (without `headers`); REST takes path params from it, the rest is the body. */
  request: TSchema;
  /** Result as returned by the EPOS (JSON-RPC `result` == REST 200 body); EmptyResult accepts `{}` and `null` (no body). */
  result: TSchema;
}

function cap(
  name: string,
  domain: Domain,
  rest: RestRoute | undefined,
  request: TSchema,
  result: TSchema,
  extra: Partial<Pick<CapabilityDef, 'aliases' | 'status' | 'wsMethod'>> = {},
): CapabilityDef {
  return {
    name,
    aliases: extra.aliases ?? [],
    status: extra.status ?? 'stable',
    domain,
    wsMethod: extra.wsMethod ?? `${name}V1`,
    rest,
    request,
    result,
  };
}

const preview = { status: 'preview' } as const;

export const CAPABILITIES = [
  // Orders
  cap('CreateOrder', 'Orders', { method: 'POST', path: '/v1/orders' }, S.CreateOrderParams, S.Order),
  cap('GetOrderById', 'Orders', { method: 'GET', path: '/v1/orders/{orderId}' }, S.OrderIdParams, S.Order),
  cap('CancelOrderById', 'Orders', { method: 'DELETE', path: '/v1/orders/{orderId}' }, S.OrderIdParams, S.Order),
  cap('SearchOrders', 'Orders', { method: 'POST', path: '/v1/orders/search' }, S.SearchOrdersParams, S.PagedOrdersResponse),
  cap('RecordOrderPaymentById', 'Orders', { method: 'POST', path: '/v1/orders/{orderId}/record-payment' },
    S.RecordOrderPaymentParams, S.Order, { aliases: ['RecordOrderPayment'] }),
  cap('GetOrderBillById', 'Orders', { method: 'GET', path: '/v1/orders/{orderId}/bill' }, S.OrderIdParams, S.OrderBill,
    { aliases: ['GetOrderBill'] }),
  cap('AddOrderItems', 'Orders', undefined, S.PreviewParams, S.PreviewResult, preview),
  // Order locking
  cap('CreateOrderLock', 'Order locking', { method: 'POST', path: '/v1/orders/{orderId}/lock' }, S.CreateOrderLockParams, S.Order),
  cap('DeleteOrderLock', 'Order locking', { method: 'DELETE', path: '/v1/orders/{orderId}/locks/{lockId}' }, S.DeleteOrderLockParams, S.Order),
  cap('ExtendOrderLock', 'Order locking', { method: 'PUT', path: '/v1/orders/{orderId}/locks/{lockId}' }, S.ExtendOrderLockParams, S.ExtendOrderLockResponse),
  // Order and Pay (preview: request and result contracts not published yet)
  cap('CalculateOrder', 'Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  cap('SubmitCalculatedOrder', 'Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  cap('SearchMenus', 'Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  // Parties
  cap('CreateParty', 'Parties', { method: 'POST', path: '/v1/parties' }, S.CreatePartyParams, S.Party),
  cap('GetPartyById', 'Parties', { method: 'GET', path: '/v1/parties/{partyId}' }, S.PartyIdParams, S.Party),
  // The WS wire names the party `id` in UpdateParty params, so the REST placeholder is `{id}` too.
  cap('UpdateParty', 'Parties', { method: 'PUT', path: '/v1/parties/{id}' }, S.UpdatePartyParams, S.Party,
    { aliases: ['UpdatePartyById'] }),
  cap('DeletePartyById', 'Parties', { method: 'DELETE', path: '/v1/parties/{partyId}' }, S.PartyIdParams, S.EmptyResult),
  cap('SearchParties', 'Parties', { method: 'POST', path: '/v1/parties/search' }, S.SearchPartiesParams, S.PagedPartiesResponse),
  // Reservations
  cap('CreateReservation', 'Reservations', { method: 'POST', path: '/v1/reservations' }, S.CreateReservationParams, S.Reservation),
  cap('GetReservationById', 'Reservations', { method: 'GET', path: '/v1/reservations/{reservationId}' }, S.ReservationIdParams, S.Reservation),
  // Same for UpdateReservation: the params carry the reservation as `id`.
  cap('UpdateReservation', 'Reservations', { method: 'PUT', path: '/v1/reservations/{id}' }, S.UpdateReservationParams, S.Reservation,
    { aliases: ['UpdateReservationById'] }),
  cap('DeleteReservationById', 'Reservations', { method: 'DELETE', path: '/v1/reservations/{reservationId}' }, S.ReservationIdParams, S.EmptyResult),
  cap('SearchReservations', 'Reservations', { method: 'POST', path: '/v1/reservations/search' }, S.SearchReservationsParams, S.PagedReservationsResponse),
  // Tables & areas
  cap('SearchTables', 'Tables & areas', { method: 'POST', path: '/v1/tables/search' }, S.SearchTablesParams, S.PagedTablesResponse),
  cap('ListAreas', 'Tables & areas', { method: 'GET', path: '/v1/areas' }, S.EmptyParams, S.AreaList),
  // Events: one wire method for every event type; REST has no published path, we use POST /v1/events.
  cap('HandleEvent:payment_intent.created', 'Events', { method: 'POST', path: '/v1/events' }, S.Event, S.EmptyResult,
    { wsMethod: 'HandleEventV1' }),
  cap('HandleEvent:payment_intent.status_updated', 'Events', { method: 'POST', path: '/v1/events' }, S.Event, S.EmptyResult,
    { wsMethod: 'HandleEventV1' }),
] as const satisfies readonly CapabilityDef[];

export type CapabilityName = (typeof CAPABILITIES)[number]['name'];
export type Capability = (typeof CAPABILITIES)[number];

const byName = new Map<string, Capability>();
const byAlias = new Map<string, Capability>();
for (const c of CAPABILITIES) {
  byName.set(c.name, c);
  for (const a of c.aliases) byAlias.set(a, c);
}

/** Looks a capability up by its wire-aligned name or a legacy alias. */
export function findCapability(name: string): Capability | undefined {
  return byName.get(name) ?? byAlias.get(name);
}

/** Looks a capability up by its wire-aligned name only. */
export function capability(name: CapabilityName): Capability {
  return byName.get(name)!;
}

/** Every name a registration may carry: wire-aligned names first, then legacy aliases. */
export function registrableNames(): string[] {
  return [...byName.keys(), ...byAlias.keys()];
}

export const EVENT_PREFIX = 'HandleEvent:';
