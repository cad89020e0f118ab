// Events an EPOS sends the platform (POST /epos/events): the type names which entity changed,
// and the event carries that entity's id, nothing else.
export const POS_EVENT_ID_FIELD = {
  OrderUpdated: 'orderId',
  PartyUpdated: 'partyId',
  ReservationUpdated: 'reservationId',
} as const;

export type PosEventType = keyof typeof POS_EVENT_ID_FIELD;

/** An EventRequest: `{eventType: 'OrderUpdated', event: {orderId}}` and so on. */
export type PosEvent = {
  [T in PosEventType]: { eventType: T; event: { [F in (typeof POS_EVENT_ID_FIELD)[T]]: string } };
}[PosEventType];
