// Per-capability request (params) and result schemas. Every name src/contract/catalogue.ts reads as
// `S.<Name>` is exported here, each with a TypeScript type of the same name.
//
// `request` is the JSON-RPC `params` object without `headers`; over REST the `{placeholders}` of the
// route are taken from it and the rest is the JSON body. `result` is the JSON-RPC `result`, which is
// also the REST 200 body. See docs/contract.md.
import { Type, type Static } from '@sinclair/typebox';
import {
  Area,
  Cursor,
  Customer,
  DateTime,
  Discount,
  Money,
  Opt,
  OrderDetails,
  OrderItem,
  Party,
  PartyDeposit,
  Payment,
  Reservation,
  SearchDineInDetails,
  TaxLine,
} from './entities.ts';

export * from './entities.ts';


// ── Shared ───────────────────────────────────────────────────────────────────────────────────────

/** Params of a capability that takes none (ListAreas): any object, usually `{}`. */
export const EmptyParams = Type.Object({});
export type EmptyParams = Static<typeof EmptyParams>;

/**
 * Result of a capability that answers nothing (DeletePartyById, DeleteReservationById, HandleEvent).
 * Over WS it is an object (usually `{}`); over REST the 200 has no body, which the transport hands
 * over as `null`. Both are accepted; validateResult() also treats `undefined` as `null`.
 */
export const EmptyResult = Type.Union([Type.Object({}), Type.Null()]);
export type EmptyResult = Static<typeof EmptyResult>;

/** Preview capabilities have no published contract: any object passes. */
export const PreviewParams = Type.Object({});
export type PreviewParams = Static<typeof PreviewParams>;
export const PreviewResult = Type.Object({});
export type PreviewResult = Static<typeof PreviewResult>;

export const OrderIdParams = Type.Object({ orderId: Type.String() });
export type OrderIdParams = Static<typeof OrderIdParams>;

export const PartyIdParams = Type.Object({ partyId: Type.String() });
export type PartyIdParams = Static<typeof PartyIdParams>;

export const ReservationIdParams = Type.Object({ reservationId: Type.String() });
export type ReservationIdParams = Static<typeof ReservationIdParams>;

// ── Orders ───────────────────────────────────────────────────────────────────────────────────────

export const CreateOrderParams = Type.Object({
  items: Type.Array(OrderItem),
  note: Opt(Type.String()),
  customer: Opt(Customer),
  discounts: Opt(Type.Array(Discount)),
  totalAmount: Money,
  taxLines: Opt(Type.Array(TaxLine)),
  serviceChargeAmount: Opt(Money),
  reference: Opt(Type.String()),
  dojoOrderId: Type.String(),
  payments: Type.Array(Payment),
  details: OrderDetails,
  displayName: Opt(Type.String()),
});
export type CreateOrderParams = Static<typeof CreateOrderParams>;

export const SearchOrdersParams = Type.Object({
  dineIn: Opt(SearchDineInDetails),
  payableOnly: Opt(Type.Boolean()),
  cursor: Opt(Cursor),
});
export type SearchOrdersParams = Static<typeof SearchOrdersParams>;

export const RecordOrderPaymentParams = Type.Object({
  orderId: Type.String(),
  paymentIntentId: Type.String(),
  paidAmount: Money,
  tipsAmount: Opt(Money),
  lockId: Opt(Type.String()),
});
export type RecordOrderPaymentParams = Static<typeof RecordOrderPaymentParams>;

// ── Order locking ────────────────────────────────────────────────────────────────────────────────

export const CreateOrderLockParams = Type.Object({
  orderId: Type.String(),
  lockId: Type.String(),
  expiry: DateTime(),
});
export type CreateOrderLockParams = Static<typeof CreateOrderLockParams>;

export const DeleteOrderLockParams = Type.Object({
  orderId: Type.String(),
  lockId: Type.String(),
});
export type DeleteOrderLockParams = Static<typeof DeleteOrderLockParams>;

/** The same fields as a new lock: the order, the lock and its new expiry. */
export const ExtendOrderLockParams = CreateOrderLockParams;
export type ExtendOrderLockParams = Static<typeof ExtendOrderLockParams>;

/**
 * Result of ExtendOrderLock: an object, normally `{}` (REST names it ExtendOrderLockResponse, WS an
 * EmptyResult). Kept open, so an EPOS that answers with the Order is accepted too.
 */
export const ExtendOrderLockResponse = Type.Object({});
export type ExtendOrderLockResponse = Static<typeof ExtendOrderLockResponse>;

// ── Parties ──────────────────────────────────────────────────────────────────────────────────────

export const CreatePartyParams = Type.Object({
  name: Opt(Type.String()),
  covers: Opt(Type.Integer()),
  tableIds: Type.Array(Type.String()),
  status: Opt(Type.String()),
  startTime: DateTime(),
  expectedEndTime: Opt(DateTime()),
  hostNotes: Opt(Type.String()),
  guestRequests: Opt(Type.String()),
  reservationId: Opt(Type.String()),
  deposit: Opt(PartyDeposit),
  dojoPartyId: Type.String(),
  dojoReservationId: Opt(Type.String()),
});
export type CreatePartyParams = Static<typeof CreatePartyParams>;

/**
 * UpdateParty params as the WS wire carries them: the EPOS party id is `id` (not `partyId`).
 * Over REST `id` fills the path (`PUT /v1/parties/{id}`) and the rest is the body. The other fields
 * are the Party's own, all but `reservationId`, read off the entity so the two cannot drift.
 */
export const UpdatePartyParams = Type.Object({
  id: Party.properties.id,
  dojoPartyId: Type.String(),
  ...Type.Omit(Party, ['id', 'reservationId']).properties,
});
export type UpdatePartyParams = Static<typeof UpdatePartyParams>;

export const SearchPartiesParams = Type.Object({
  cursor: Opt(Cursor),
  completedOnly: Opt(Type.Boolean()),
  tableId: Opt(Type.String()),
});
export type SearchPartiesParams = Static<typeof SearchPartiesParams>;

// ── Reservations ─────────────────────────────────────────────────────────────────────────────────

/** A reservation's own fields, as the Reservation entity has them (create and update carry them all). */
const { id: reservationId, ...reservationFields } = Reservation.properties;

export const CreateReservationParams = Type.Object({
  dojoReservationId: Type.String(),
  ...reservationFields,
});
export type CreateReservationParams = Static<typeof CreateReservationParams>;

/** UpdateReservation params as the WS wire carries them: the EPOS reservation id is `id`. */
export const UpdateReservationParams = Type.Object({
  id: reservationId,
  dojoReservationId: Type.String(),
  ...reservationFields,
});
export type UpdateReservationParams = Static<typeof UpdateReservationParams>;

export const SearchReservationsParams = Type.Object({
  cursor: Opt(Cursor),
  tableId: Opt(Type.String()),
  fromTime: Opt(DateTime()),
  toTime: Opt(DateTime()),
});
export type SearchReservationsParams = Static<typeof SearchReservationsParams>;

// ── Tables & areas ───────────────────────────────────────────────────────────────────────────────

export const SearchTablesParams = Type.Object({
  cursor: Opt(Cursor),
  areaId: Opt(Type.String()),
  waiterId: Opt(Type.String()),
});
export type SearchTablesParams = Static<typeof SearchTablesParams>;

export const AreaList = Type.Array(Area);
export type AreaList = Static<typeof AreaList>;
