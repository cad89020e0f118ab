// The reference EPOS: a small demo restaurant built only on the public SDK. Every stable
// capability of the contract is implemented against its own SQLite database.
import { defineEpos, type Epos, type EposOptions, type PosEvent } from '@eposgate/sdk';
import { openDb, type Db } from './db.ts';
import { seed } from './seed.ts';
import type { Restaurant } from './restaurant.ts';
import { cancelOrderById, createOrder, getOrderById, searchOrders } from './orders.ts';
import { recordOrderPayment } from './payments.ts';
import { createOrderLock, deleteOrderLock, extendOrderLock } from './locks.ts';
import { getOrderBill } from './bill.ts';
import { listAreas, searchTables } from './tables.ts';
import { createParty, deletePartyById, getPartyById, searchParties, updateParty } from './parties.ts';
import { createReservation, deleteReservationById, getReservationById, searchReservations, updateReservation } from './reservations.ts';
import { handleEvent } from './events.ts';
import { FaultInjector } from './faults.ts';

export interface ReferenceEposOptions {
  /** SQLite file, or `:memory:`. */
  dbPath: string;
  /** The restaurant's clock (default: the system clock). */
  clock?: () => Date;
  /** Called after each committed change with the POS event to send (wire it to the SDK's sendEvent). */
  onChange?: (event: PosEvent) => void;
  /** Fill an empty database with the demo restaurant (default true). */
  seed?: boolean;
  /** Passed to defineEpos (validation, contract-error reporting). */
  sdk?: EposOptions;
  /** Faults to commit (faults.ts): a spec such as `GetOrderById:timeout#1`, or an injector to steer at run time. */
  faults?: string | FaultInjector;
}

export interface ReferenceEpos {
  epos: Epos;
  db: Db;
  /** The faults in force; change them at run time (set, clear). */
  faults: FaultInjector;
  close(): void;
}

export function createReferenceEpos(opts: ReferenceEposOptions): ReferenceEpos {
  const db = openDb(opts.dbPath);
  const faults = opts.faults instanceof FaultInjector ? opts.faults : new FaultInjector(opts.faults ?? '');
  const now = opts.clock ?? (() => new Date());
  if (opts.seed !== false) seed(db, now());
  const restaurant: Restaurant = {
    db,
    now,
    changed: (event) => {
      try {
        opts.onChange?.(event);
      } catch {
        // a failing hook must not undo a committed change
      }
    },
    fault: (capability, kind) => faults.take(capability, kind),
  };

  const sound = defineEpos(
    {
      GetOrderById: (p) => getOrderById(restaurant, p),
      SearchOrders: (p, ctx) => searchOrders(restaurant, p, ctx),
      CreateOrder: (p, ctx) => createOrder(restaurant, p, ctx),
      CancelOrderById: (p) => cancelOrderById(restaurant, p),
      RecordOrderPaymentById: (p, ctx) => recordOrderPayment(restaurant, p, ctx),
      GetOrderBillById: (p) => getOrderBill(restaurant, p),
      CreateOrderLock: (p, ctx) => createOrderLock(restaurant, p, ctx),
      ExtendOrderLock: (p, ctx) => extendOrderLock(restaurant, p, ctx),
      DeleteOrderLock: (p, ctx) => deleteOrderLock(restaurant, p, ctx),
      ListAreas: () => listAreas(restaurant),
      SearchTables: (p) => searchTables(restaurant, p),
      CreateParty: (p) => createParty(restaurant, p),
      GetPartyById: (p) => getPartyById(restaurant, p),
      UpdateParty: (p) => updateParty(restaurant, p),
      DeletePartyById: (p) => deletePartyById(restaurant, p),
      SearchParties: (p) => searchParties(restaurant, p),
      CreateReservation: (p) => createReservation(restaurant, p),
      GetReservationById: (p) => getReservationById(restaurant, p),
      UpdateReservation: (p) => updateReservation(restaurant, p),
      DeleteReservationById: (p) => deleteReservationById(restaurant, p),
      SearchReservations: (p) => searchReservations(restaurant, p),
      'HandleEvent:payment_intent.created': (p) => handleEvent(restaurant, p),
      'HandleEvent:payment_intent.status_updated': (p) => handleEvent(restaurant, p),
    },
    opts.sdk,
  );

  const epos = faults.wrap(sound);
  return {
    epos, db, faults,
    close: () => {
      faults.release(); // calls held by timeout or delay answer now, so nothing waits on a closed database
      db.close();
    },
  };
}

export { WAITERS, AREAS, TABLES } from './seed.ts';
