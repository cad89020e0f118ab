// The reference EPOS: a small demo restaurant built only on the public SDK. Every stable
// capability of the contract is implemented against its own SQLite database.
import { defineEpos, type Epos, type EposOptions, type PosEvent } from '@eposgate/sdk';
import { openDb, type Db } from './db.ts';
import { seed } from './seed.ts';
import type { Store } from './store.ts';
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
  const store: Store = {
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
      GetOrderById: (p) => getOrderById(store, p),
      SearchOrders: (p, ctx) => searchOrders(store, p, ctx),
      CreateOrder: (p, ctx) => createOrder(store, p, ctx),
      CancelOrderById: (p) => cancelOrderById(store, p),
      RecordOrderPaymentById: (p, ctx) => recordOrderPayment(store, p, ctx),
      GetOrderBillById: (p) => getOrderBill(store, p),
      CreateOrderLock: (p, ctx) => createOrderLock(store, p, ctx),
      ExtendOrderLock: (p, ctx) => extendOrderLock(store, p, ctx),
      DeleteOrderLock: (p, ctx) => deleteOrderLock(store, p, ctx),
      ListAreas: () => listAreas(store),
      SearchTables: (p) => searchTables(store, p),
      CreateParty: (p) => createParty(store, p),
      GetPartyById: (p) => getPartyById(store, p),
      UpdateParty: (p) => updateParty(store, p),
      DeletePartyById: (p) => deletePartyById(store, p),
      SearchParties: (p) => searchParties(store, p),
      CreateReservation: (p) => createReservation(store, p),
      GetReservationById: (p) => getReservationById(store, p),
      UpdateReservation: (p) => updateReservation(store, p),
      DeleteReservationById: (p) => deleteReservationById(store, p),
      SearchReservations: (p) => searchReservations(store, p),
      'HandleEvent:payment_intent.created': (p) => handleEvent(store, p),
      'HandleEvent:payment_intent.status_updated': (p) => handleEvent(store, p),
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
