// Handler types derived from the contract schemas, so a vendor's editor completes capability
// names, params and result fields.
//
// The catalogue's rows are typed as the general `CapabilityDef`, which erases each row's own
// schema types; this map restores them for the type checker only. `test/sdk/types.test.ts` checks
// that every row of the catalogue is here with the very same schema objects, so the two cannot
// drift apart.
import type { Static, TSchema } from '@sinclair/typebox';
import * as S from '../contract/schemas.ts';
import type { CapabilityDef } from '../contract/catalogue.ts';
import type { RequestorHeaders } from '../platform/transports/transport.ts';

export const SCHEMAS = {
  CreateOrder: { request: S.CreateOrderParams, result: S.Order },
  GetOrderById: { request: S.OrderIdParams, result: S.Order },
  CancelOrderById: { request: S.OrderIdParams, result: S.Order },
  SearchOrders: { request: S.SearchOrdersParams, result: S.PagedOrdersResponse },
  RecordOrderPaymentById: { request: S.RecordOrderPaymentParams, result: S.Order },
  GetOrderBillById: { request: S.OrderIdParams, result: S.OrderBill },
  AddOrderItems: { request: S.PreviewParams, result: S.PreviewResult },
  CreateOrderLock: { request: S.CreateOrderLockParams, result: S.Order },
  DeleteOrderLock: { request: S.DeleteOrderLockParams, result: S.Order },
  ExtendOrderLock: { request: S.ExtendOrderLockParams, result: S.ExtendOrderLockResponse },
  CalculateOrder: { request: S.PreviewParams, result: S.PreviewResult },
  SubmitCalculatedOrder: { request: S.PreviewParams, result: S.PreviewResult },
  SearchMenus: { request: S.PreviewParams, result: S.PreviewResult },
  CreateParty: { request: S.CreatePartyParams, result: S.Party },
  GetPartyById: { request: S.PartyIdParams, result: S.Party },
  UpdateParty: { request: S.UpdatePartyParams, result: S.Party },
  DeletePartyById: { request: S.PartyIdParams, result: S.EmptyResult },
  SearchParties: { request: S.SearchPartiesParams, result: S.PagedPartiesResponse },
  CreateReservation: { request: S.CreateReservationParams, result: S.Reservation },
  GetReservationById: { request: S.ReservationIdParams, result: S.Reservation },
  UpdateReservation: { request: S.UpdateReservationParams, result: S.Reservation },
  DeleteReservationById: { request: S.ReservationIdParams, result: S.EmptyResult },
  SearchReservations: { request: S.SearchReservationsParams, result: S.PagedReservationsResponse },
  SearchTables: { request: S.SearchTablesParams, result: S.PagedTablesResponse },
  ListAreas: { request: S.EmptyParams, result: S.AreaList },
  'HandleEvent:payment_intent.created': { request: S.Event, result: S.EmptyResult },
  'HandleEvent:payment_intent.status_updated': { request: S.Event, result: S.EmptyResult },
} as const satisfies Record<string, { request: TSchema; result: TSchema }>;

type Schemas = typeof SCHEMAS;

/** Every capability name a handler can be written for. */
export type HandlerName = keyof Schemas;
export type ParamsOf<N extends HandlerName> = Static<Schemas[N]['request']>;
export type ResultOf<N extends HandlerName> = Static<Schemas[N]['result']>;

/** What a handler knows about the call besides its params. */
export interface HandlerContext {
  /** Registration name of the capability being invoked. */
  capability: HandlerName;
  /** The catalogue row (wire method, REST route, schemas). */
  def: CapabilityDef;
  /** Who is asking: `params.headers` over WS, `waiter-id` etc. over REST. Any may be absent. */
  headers: RequestorHeaders;
  /** The transport the call came in on. */
  transport: 'ws' | 'rest' | 'direct';
  /** Correlates logs with the answer's `traceId` on errors. */
  traceId: string;
}

export type Handler<N extends HandlerName> = (
  params: ParamsOf<N>,
  ctx: HandlerContext,
) => ResultOf<N> | Promise<ResultOf<N>>;

/** Implement any subset; only what is implemented is routed, registered and advertised. */
export type Handlers = { [N in HandlerName]?: Handler<N> };

export type { RequestorHeaders };
