// The restaurant as every domain module of the reference EPOS sees it: its database, its clock, the
// hook that sends a POS event after a change, and the logic faults it may be told to commit.
import type { PosEvent, ResultOf } from '@eposgate/sdk';
import type { Db } from './db.ts';

export interface Restaurant {
  db: Db;
  /** The restaurant's clock (tests pass a fake one). */
  now(): Date;
  /** Called after a change is committed, with the POS event to send. */
  changed(event: PosEvent): void;
  /** True when a logic fault (faults.ts: duplicates, ignore-locks) is to be committed this time. */
  fault?(capability: string, kind: 'duplicates' | 'ignore-locks'): boolean;
}

export type Order = ResultOf<'GetOrderById'>;
export type OrderItem = NonNullable<Order['items']>[number];
export type OrderSubItem = NonNullable<OrderItem['subItems']>[number];
export type Modifier = NonNullable<OrderItem['modifiers']>[number];
export type Discount = NonNullable<Order['discounts']>[number];
export type TaxLine = NonNullable<Order['taxLines']>[number];
export type Payment = NonNullable<Order['payments']>[number];
export type Money = NonNullable<Order['totalAmount']>;
export type Party = ResultOf<'GetPartyById'>;
export type Reservation = ResultOf<'GetReservationById'>;
export type Table = ResultOf<'SearchTables'>['data'][number];
export type Area = ResultOf<'ListAreas'>[number];
export type OrderBill = ResultOf<'GetOrderBillById'>;
export type BillLine = OrderBill['header']['lines'][number];

export const iso = (d: Date): string => d.toISOString();
