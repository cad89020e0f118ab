// The entities of the EPOS Data contract, encoded once in TypeBox: each constant is at the same time
// a JSON Schema (for ajv) and, through `Static`, the TypeScript type of the same name.
//
// Conventions (see docs/contract.md):
// - objects stay open (no `additionalProperties: false`): an EPOS may send fields we do not know;
// - enums are unions of literals;
// - timestamps carry `format: 'date-time'`, integers are `Type.Integer` with the spec's int32/int64 format;
// - no `$id`: composition is inline, so any schema can be compiled on its own or nested.
// test/contract/spec-crosscheck.test.ts proves these agree, field by field, with the published specs.
import { Type, type Static, type TLiteral, type TOptional, type TSchema, type TString, type TUnion, type TUnsafe } from '@sinclair/typebox';

/** A union of string literals: the TypeBox spelling of a JSON Schema string enum. */
export function StringEnum<const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as never;
}

/** An RFC 3339 timestamp, as the contract's `format: date-time`. */
export const DateTime = () => Type.String({ format: 'date-time' });
export const Opt = Type.Optional;

/** TypeScript's spelling of `anyOf: [{ required: [a] }, { required: [b] }, …]`: at least one of K is present. */
export type AtLeastOneOf<T, K extends keyof T> = T & { [P in K]: Required<Pick<T, P>> }[K];

/**
 * The same schema object (the JSON Schema does not change), with a static type TypeBox cannot infer
 * by itself, such as an `anyOf` of `required` lists.
 */
function typed<T>(schema: TSchema): TUnsafe<T> {
  return Type.Unsafe<T>(schema);
}

// ── Money ────────────────────────────────────────────────────────────────────────────────────────

/** An amount in minor units of a currency. */
export const Money = Type.Object({
  value: Type.Integer({ format: 'int64' }),
  currencyCode: Type.String({ minLength: 1, maxLength: 10 }),
});
export type Money = Static<typeof Money>;

// ── Orders ───────────────────────────────────────────────────────────────────────────────────────

export const ORDER_STATUSES = [
  'New', 'Submitted', 'Confirmed', 'Accepted', 'Preparing', 'Prepared', 'Ready', 'Finalized', 'Canceled', 'Failed',
] as const;
export const OrderStatus = StringEnum(ORDER_STATUSES);
export type OrderStatus = Static<typeof OrderStatus>;

export const ORDER_TYPES = ['DineIn', 'Collection'] as const;
export const OrderType = StringEnum(ORDER_TYPES);
export type OrderType = Static<typeof OrderType>;

export const Modifier = Type.Object({
  name: Type.String(),
  quantity: Type.Integer(),
  amountPerModifier: Money,
  plu: Type.String(),
});
export type Modifier = Static<typeof Modifier>;

export const OrderSubItem = Type.Object({
  amountPerItem: Money,
  quantity: Type.Integer(),
  note: Opt(Type.String()),
  name: Type.String(),
  plu: Type.String(),
  modifiers: Opt(Type.Array(Modifier)),
});
export type OrderSubItem = Static<typeof OrderSubItem>;

export const OrderItem = Type.Object({
  amountPerItem: Money,
  quantity: Type.Integer(),
  note: Opt(Type.String()),
  name: Type.String(),
  plu: Type.String(),
  subItems: Opt(Type.Array(OrderSubItem)),
  modifiers: Opt(Type.Array(Modifier)),
});
export type OrderItem = Static<typeof OrderItem>;

export const Customer = Type.Object({
  id: Opt(Type.String()),
  emailAddress: Opt(Type.String({ maxLength: 254 })),
  phoneNumber: Opt(Type.String({ maxLength: 50 })),
  name: Opt(Type.String()),
});
export type Customer = Static<typeof Customer>;

export const Discount = Type.Object({
  name: Type.String(),
  affectedPlu: Opt(Type.String()),
  discountReference: Opt(Type.String()),
  code: Opt(Type.String()),
  amountTotal: Money,
  amountPercentage: Opt(Type.Integer()),
});
export type Discount = Static<typeof Discount>;

export const TaxLine = Type.Object({
  id: Opt(Type.String({ maxLength: 60 })),
  name: Opt(Type.String({ maxLength: 100 })),
  affectedPlu: Opt(Type.String()),
  amountPercentage: Opt(Type.Integer()),
  amountTotal: Money,
});
export type TaxLine = Static<typeof TaxLine>;

/**
 * A payment against an order. `paymentIntentId` is optional: the AsyncAPI leaves it optional and an
 * order may carry payments taken at the till (see docs/contract.md).
 */
export const Payment = Type.Object({
  paymentIntentId: Opt(Type.String()),
  paidAmount: Money,
  tipsAmount: Opt(Money),
});
export type Payment = Static<typeof Payment>;

export const DineInDetails = Type.Object({
  tableId: Opt(Type.String()),
  waiterId: Opt(Type.String()),
  partyId: Opt(Type.String()),
  reservationId: Opt(Type.String()),
  readyAt: Opt(DateTime()),
});
export type DineInDetails = Static<typeof DineInDetails>;

export const CollectionDetails = Type.Object({
  asap: Opt(Type.Boolean()),
  collectAt: Opt(DateTime()),
});
export type CollectionDetails = Static<typeof CollectionDetails>;

const OrderDetailsFields = Type.Object({
  dineIn: Opt(DineInDetails),
  collection: Opt(CollectionDetails),
  orderType: OrderType,
});

/**
 * `orderType` plus at least one of `dineIn` / `collection`; the type says so too, so
 * `{ orderType: 'DineIn' }` alone does not compile. The schema does not tie `dineIn` to
 * `orderType: 'DineIn'`, so neither does the type.
 */
export const OrderDetails = typed<AtLeastOneOf<Static<typeof OrderDetailsFields>, 'dineIn' | 'collection'>>(
  Type.Object(OrderDetailsFields.properties, { anyOf: [{ required: ['dineIn'] }, { required: ['collection'] }] }),
);
export type OrderDetails = Static<typeof OrderDetails>;

export const Order = Type.Object({
  id: Type.String(),
  items: Opt(Type.Array(OrderItem)),
  note: Opt(Type.String()),
  customer: Opt(Customer),
  discounts: Opt(Type.Array(Discount)),
  taxLines: Opt(Type.Array(TaxLine)),
  status: OrderStatus,
  createdAt: Opt(DateTime()),
  updatedAt: Opt(DateTime()),
  totalAmount: Opt(Money),
  payments: Opt(Type.Array(Payment)),
  payable: Opt(Type.Boolean()),
  paidAmount: Opt(Money),
  serviceChargeAmount: Opt(Money),
  reference: Opt(Type.String()),
  tipsAmount: Opt(Money),
  details: OrderDetails,
  displayName: Opt(Type.String()),
});
export type Order = Static<typeof Order>;

export const SearchDineInDetails = Type.Object({
  tableId: Opt(Type.String()),
  waiterId: Opt(Type.String()),
  partyId: Opt(Type.String()),
  reservationId: Opt(Type.String()),
});
export type SearchDineInDetails = Static<typeof SearchDineInDetails>;

// ── Paging ───────────────────────────────────────────────────────────────────────────────────────

export const Cursor = Type.Object({
  limit: Opt(Type.Integer({ maximum: 100 })),
  before: Opt(Type.String()),
  after: Opt(Type.String()),
});
export type Cursor = Static<typeof Cursor>;

function paged<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    before: Opt(Type.String()),
    after: Opt(Type.String()),
  });
}

// ── Bills ────────────────────────────────────────────────────────────────────────────────────────

export const ALIGNS = ['Center', 'Left', 'Right'] as const;
export const Align = StringEnum(ALIGNS);
export type Align = Static<typeof Align>;

export const TEXT_SIZES = ['Body', 'Header1', 'Header2'] as const;
export const Size = StringEnum(TEXT_SIZES);
export type Size = Static<typeof Size>;

export const BillImage = Type.Object({ svgImage: Type.String(), align: Opt(Align) });
export type BillImage = Static<typeof BillImage>;

export const BillLogo = Type.Object({ svgImage: Type.String() });
export type BillLogo = Static<typeof BillLogo>;

export const BillMerchantAddress = Type.Object({ addressLines: Type.Array(Type.String()), postcode: Type.String() });
export type BillMerchantAddress = Static<typeof BillMerchantAddress>;

export const BillMerchantEmailAddress = Type.Object({ emailAddress: Type.String() });
export type BillMerchantEmailAddress = Static<typeof BillMerchantEmailAddress>;

export const BillMerchantName = Type.Object({ name: Type.String() });
export type BillMerchantName = Static<typeof BillMerchantName>;

export const BillMerchantPhoneNumber = Type.Object({ phoneNumber: Type.String() });
export type BillMerchantPhoneNumber = Static<typeof BillMerchantPhoneNumber>;

export const BillText = Type.Object({
  value: Type.String(),
  size: Size,
  align: Opt(Align),
  bold: Opt(Type.Boolean()),
});
export type BillText = Static<typeof BillText>;

/**
 * A URL / QR line. The REST spec spells the flags `showQr`/`showUrl`, the AsyncAPI `showQR`/`showURL`:
 * both spellings are accepted; readers should take `showQr ?? showQR` (see docs/contract.md).
 */
export const BillURL = Type.Object({
  url: Type.String(),
  description: Opt(Type.String()),
  showQr: Opt(Type.Boolean()),
  showUrl: Opt(Type.Boolean()),
  showQR: Opt(Type.Boolean()),
  showURL: Opt(Type.Boolean()),
});
export type BillURL = Static<typeof BillURL>;

export const HORIZONTAL_LINES = ['Single', 'Double'] as const;
export const BillHorizontalLine = Type.Object({ line: Opt(StringEnum(HORIZONTAL_LINES)) });
export type BillHorizontalLine = Static<typeof BillHorizontalLine>;

export const BillTaxNumber = Type.Object({ name: Type.String(), number: Type.String() });
export type BillTaxNumber = Static<typeof BillTaxNumber>;

export const BILL_LINE_TYPES = [
  'Image', 'Logo', 'MerchantAddress', 'MerchantEmailAddress', 'MerchantName', 'MerchantPhoneNumber',
  'Text', 'URL', 'HorizontalLine', 'TaxNumber',
] as const;
export const BillLineType = StringEnum(BILL_LINE_TYPES);
export type BillLineType = Static<typeof BillLineType>;

/** Field of a BillLine that carries the content of each line type. */
export const BILL_LINE_FIELD: Record<BillLineType, string> = {
  Image: 'image',
  Logo: 'logo',
  MerchantAddress: 'merchantAddress',
  MerchantEmailAddress: 'merchantEmailAddress',
  MerchantName: 'merchantName',
  MerchantPhoneNumber: 'merchantPhoneNumber',
  Text: 'text',
  URL: 'url',
  HorizontalLine: 'horizontalLine',
  TaxNumber: 'taxNumber',
};

const BillLineFields = Type.Object({
  image: Opt(BillImage),
  logo: Opt(BillLogo),
  merchantAddress: Opt(BillMerchantAddress),
  merchantEmailAddress: Opt(BillMerchantEmailAddress),
  merchantName: Opt(BillMerchantName),
  merchantPhoneNumber: Opt(BillMerchantPhoneNumber),
  text: Opt(BillText),
  url: Opt(BillURL),
  horizontalLine: Opt(BillHorizontalLine),
  taxNumber: Opt(BillTaxNumber),
  lineType: BillLineType,
});

/** `lineType` plus at least one of the content fields (in the type too). */
export const BillLine = typed<AtLeastOneOf<Static<typeof BillLineFields>, Exclude<keyof Static<typeof BillLineFields>, 'lineType'>>>(
  Type.Object(BillLineFields.properties, { anyOf: Object.values(BILL_LINE_FIELD).map((f) => ({ required: [f] })) }),
);
export type BillLine = Static<typeof BillLine>;

export const BillSection = Type.Object({ lines: Type.Array(BillLine) });
export type BillSection = Static<typeof BillSection>;

export const OrderBill = Type.Object({
  header: BillSection,
  order: Order,
  footer: BillSection,
});
export type OrderBill = Static<typeof OrderBill>;

// ── Parties, reservations, tables, areas ─────────────────────────────────────────────────────────

export const PartyDeposit = Type.Object({
  totalAmount: Money,
  description: Opt(Type.String()),
  paymentIntentIds: Type.Array(Type.String()),
});
export type PartyDeposit = Static<typeof PartyDeposit>;

export const Party = Type.Object({
  id: Type.String(),
  name: Opt(Type.String()),
  covers: Opt(Type.Integer()),
  tableIds: Type.Array(Type.String(), { minItems: 1 }),
  status: Type.String({ minLength: 1 }),
  startTime: DateTime(),
  expectedEndTime: Opt(DateTime()),
  endTime: Opt(DateTime()),
  hostNotes: Opt(Type.String()),
  guestRequests: Opt(Type.String()),
  reservationId: Opt(Type.String()),
  deposit: Opt(PartyDeposit),
});
export type Party = Static<typeof Party>;

export const Reservation = Type.Object({
  id: Type.String(),
  name: Type.String(),
  covers: Type.Integer(),
  startTime: DateTime(),
  endTime: DateTime(),
  tableIds: Type.Array(Type.String()),
  hostNotes: Opt(Type.String()),
  guestRequests: Opt(Type.String()),
});
export type Reservation = Static<typeof Reservation>;

export const Table = Type.Object({
  id: Type.String(),
  name: Type.String(),
  maxCovers: Opt(Type.Integer({ format: 'int32' })),
  areaId: Opt(Type.String()),
  waiterIds: Opt(Type.Array(Type.String())),
});
export type Table = Static<typeof Table>;

export const Area = Type.Object({
  id: Type.String(),
  name: Type.String(),
  waiterIds: Opt(Type.Array(Type.String())),
});
export type Area = Static<typeof Area>;

export const PagedOrdersResponse = paged(Order);
export type PagedOrdersResponse = Static<typeof PagedOrdersResponse>;
export const PagedPartiesResponse = paged(Party);
export type PagedPartiesResponse = Static<typeof PagedPartiesResponse>;
export const PagedReservationsResponse = paged(Reservation);
export type PagedReservationsResponse = Static<typeof PagedReservationsResponse>;
export const PagedTablesResponse = paged(Table);
export type PagedTablesResponse = Static<typeof PagedTablesResponse>;

// ── Events (platform → EPOS) ─────────────────────────────────────────────────────────────────────

export const EVENT_TYPES = ['payment_intent.created', 'payment_intent.status_updated'] as const;
export const EventType = StringEnum(EVENT_TYPES);
export type EventType = Static<typeof EventType>;

export const PAYMENT_INTENT_STATUSES = ['Created', 'Authorized', 'Captured', 'Reversed', 'Refunded', 'Canceled'] as const;
export const PaymentIntentStatus = StringEnum(PAYMENT_INTENT_STATUSES);
export type PaymentIntentStatus = Static<typeof PaymentIntentStatus>;

export const CAPTURE_MODES = ['Auto', 'Manual'] as const;
export const CaptureMode = StringEnum(CAPTURE_MODES);
export type CaptureMode = Static<typeof CaptureMode>;

export const PaymentIntentEvent = Type.Object({
  paymentIntentId: Type.String(),
  paymentStatus: PaymentIntentStatus,
  captureMode: CaptureMode,
});
export type PaymentIntentEvent = Static<typeof PaymentIntentEvent>;

/**
 * An event delivered to the EPOS (HandleEvent). `event` is typed as a string, as in the spec, so a
 * new event type does not fail validation; EVENT_TYPES lists the ones the contract names today.
 */
export const Event = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  event: Type.String(),
  data: PaymentIntentEvent,
  createdAt: DateTime(),
});
export type Event = Static<typeof Event>;

// ── Request headers ──────────────────────────────────────────────────────────────────────────────

/**
 * The requestor header table, the one place these names are written: each field as it travels in
 * `params.headers` over WS, and the HTTP header that carries it over REST. Everything else that
 * names a requestor header (the schema below, requestor.ts, the SDK, the platform) reads it.
 */
export const REST_HEADER_NAMES = {
  waiterId: 'waiter-id',
  dojoRequestingProduct: 'dojo-requesting-product',
  deviceId: 'device-id',
  deviceType: 'device-type',
} as const;
export type RequestorField = keyof typeof REST_HEADER_NAMES;

/** The requester details every call carries: `params.headers` over WS, HTTP headers over REST. */
export const RequestHeaders = Type.Object(
  Object.fromEntries(Object.keys(REST_HEADER_NAMES).map((f) => [f, Opt(Type.String())])) as { [F in RequestorField]: TOptional<TString> },
);
export type RequestHeaders = Static<typeof RequestHeaders>;
/** Who is asking, as the platform passes it to the EPOS. */
export type RequestorHeaders = RequestHeaders;
