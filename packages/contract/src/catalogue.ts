// The one table every capability fact lives in. Registration, WS method names, REST routes,
// the product-facing proxy, validation, SDK types and tester flows all read it.
import type { Static, TSchema } from '@sinclair/typebox';
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
  /**
   * The REST spec types this capability's 200 as an array holding the result (a slip: WS, and every
   * other search, answer the object); normalizeRestResult unwraps a one-element array.
   */
  restResultInArray?: boolean;
}

/** A row's facts; its name is its key in ROWS. */
function row<Req extends TSchema, Res extends TSchema>(
  domain: Domain,
  rest: RestRoute | undefined,
  request: Req,
  result: Res,
  extra: Partial<Pick<CapabilityDef, 'aliases' | 'status' | 'wsMethod' | 'restResultInArray'>> = {},
) {
  return { domain, rest, request, result, ...extra };
}

const preview = { status: 'preview' } as const;

/**
 * Keyed by registration name. Each row keeps its own schema types, so the SDK derives handler
 * param and result types from here (`CapabilitySchemas`).
 */
const ROWS = {
  // Orders
  CreateOrder: row('Orders', { method: 'POST', path: '/v1/orders' }, S.CreateOrderParams, S.Order),
  GetOrderById: row('Orders', { method: 'GET', path: '/v1/orders/{orderId}' }, S.OrderIdParams, S.Order),
  CancelOrderById: row('Orders', { method: 'DELETE', path: '/v1/orders/{orderId}' }, S.OrderIdParams, S.Order),
  SearchOrders: row('Orders', { method: 'POST', path: '/v1/orders/search' }, S.SearchOrdersParams, S.PagedOrdersResponse),
  RecordOrderPaymentById: row('Orders', { method: 'POST', path: '/v1/orders/{orderId}/record-payment' },
    S.RecordOrderPaymentParams, S.Order, { aliases: ['RecordOrderPayment'] }),
  GetOrderBillById: row('Orders', { method: 'GET', path: '/v1/orders/{orderId}/bill' }, S.OrderIdParams, S.OrderBill,
    { aliases: ['GetOrderBill'] }),
  AddOrderItems: row('Orders', undefined, S.PreviewParams, S.PreviewResult, preview),
  // Order locking
  CreateOrderLock: row('Order locking', { method: 'POST', path: '/v1/orders/{orderId}/lock' }, S.CreateOrderLockParams, S.Order),
  DeleteOrderLock: row('Order locking', { method: 'DELETE', path: '/v1/orders/{orderId}/locks/{lockId}' }, S.DeleteOrderLockParams, S.Order),
  ExtendOrderLock: row('Order locking', { method: 'PUT', path: '/v1/orders/{orderId}/locks/{lockId}' }, S.ExtendOrderLockParams, S.ExtendOrderLockResponse),
  // Order and Pay (preview: request and result contracts not published yet)
  CalculateOrder: row('Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  SubmitCalculatedOrder: row('Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  SearchMenus: row('Order and Pay', undefined, S.PreviewParams, S.PreviewResult, preview),
  // Parties
  CreateParty: row('Parties', { method: 'POST', path: '/v1/parties' }, S.CreatePartyParams, S.Party),
  GetPartyById: row('Parties', { method: 'GET', path: '/v1/parties/{partyId}' }, S.PartyIdParams, S.Party),
  // The WS wire names the party `id` in UpdateParty params, so the REST placeholder is `{id}` too.
  UpdateParty: row('Parties', { method: 'PUT', path: '/v1/parties/{id}' }, S.UpdatePartyParams, S.Party,
    { aliases: ['UpdatePartyById'] }),
  DeletePartyById: row('Parties', { method: 'DELETE', path: '/v1/parties/{partyId}' }, S.PartyIdParams, S.EmptyResult),
  SearchParties: row('Parties', { method: 'POST', path: '/v1/parties/search' }, S.SearchPartiesParams, S.PagedPartiesResponse),
  // Reservations
  CreateReservation: row('Reservations', { method: 'POST', path: '/v1/reservations' }, S.CreateReservationParams, S.Reservation),
  GetReservationById: row('Reservations', { method: 'GET', path: '/v1/reservations/{reservationId}' }, S.ReservationIdParams, S.Reservation),
  // Same for UpdateReservation: the params carry the reservation as `id`.
  UpdateReservation: row('Reservations', { method: 'PUT', path: '/v1/reservations/{id}' }, S.UpdateReservationParams, S.Reservation,
    { aliases: ['UpdateReservationById'] }),
  DeleteReservationById: row('Reservations', { method: 'DELETE', path: '/v1/reservations/{reservationId}' }, S.ReservationIdParams, S.EmptyResult),
  SearchReservations: row('Reservations', { method: 'POST', path: '/v1/reservations/search' }, S.SearchReservationsParams, S.PagedReservationsResponse),
  // Tables & areas
  SearchTables: row('Tables & areas', { method: 'POST', path: '/v1/tables/search' }, S.SearchTablesParams, S.PagedTablesResponse,
    { restResultInArray: true }),
  ListAreas: row('Tables & areas', { method: 'GET', path: '/v1/areas' }, S.EmptyParams, S.AreaList),
  // Events: one wire method for every event type; REST has no published path, we use POST /v1/events.
  'HandleEvent:payment_intent.created': row('Events', { method: 'POST', path: '/v1/events' }, S.Event, S.EmptyResult,
    { wsMethod: 'HandleEventV1' }),
  'HandleEvent:payment_intent.status_updated': row('Events', { method: 'POST', path: '/v1/events' }, S.Event, S.EmptyResult,
    { wsMethod: 'HandleEventV1' }),
};

export type CapabilityName = keyof typeof ROWS;
/** Per capability name, its request and result schema types. */
export type CapabilitySchemas = { [N in CapabilityName]: { request: (typeof ROWS)[N]['request']; result: (typeof ROWS)[N]['result'] } };
/** A capability's params and result as TS types, read off its row's schemas. */
export type ParamsOf<N extends CapabilityName> = Static<CapabilitySchemas[N]['request']>;
export type ResultOf<N extends CapabilityName> = Static<CapabilitySchemas[N]['result']>;
export interface Capability extends CapabilityDef {
  name: CapabilityName;
}

export const CAPABILITIES: readonly Capability[] = Object.entries(ROWS).map(([name, r]) => {
  const extra = r as Partial<CapabilityDef>;
  return {
    name: name as CapabilityName,
    aliases: extra.aliases ?? [],
    status: extra.status ?? 'stable',
    domain: r.domain,
    wsMethod: extra.wsMethod ?? `${name}V1`,
    rest: r.rest,
    request: r.request,
    result: r.result,
    ...(extra.restResultInArray ? { restResultInArray: true } : {}),
  };
});

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
