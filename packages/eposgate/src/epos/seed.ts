// Seed data for the demo restaurant: a floor plan, waiters, open orders (items, sub-items,
// modifiers, discounts, VAT lines, service charge), parties and reservations. Deterministic:
// the same clock gives the same data. Runs only on an empty database.
import type { Db } from './db.ts';
import { nextNumber } from './db.ts';
import { discountsCost, includedTax, itemsCost } from './money.ts';
import type { Discount, Modifier, OrderItem, OrderSubItem, TaxLine } from './restaurant.ts';

export const WAITERS = { alice: '101', ben: '102', cara: '103' } as const;

export const AREAS = [
  { id: 'area_main', name: 'Main floor' },
  { id: 'area_terrace', name: 'Terrace' },
  { id: 'area_bar', name: 'Bar' },
];

const W = WAITERS;
export const TABLES = [
  { id: 'tbl_01', name: 'Table 1', maxCovers: 2, areaId: 'area_main', waiterIds: [W.alice] },
  { id: 'tbl_02', name: 'Table 2', maxCovers: 4, areaId: 'area_main', waiterIds: [W.alice] },
  { id: 'tbl_03', name: 'Table 3', maxCovers: 4, areaId: 'area_main', waiterIds: [W.alice, W.ben] },
  { id: 'tbl_04', name: 'Table 4', maxCovers: 6, areaId: 'area_main', waiterIds: [W.ben] },
  { id: 'tbl_05', name: 'Table 5', maxCovers: 2, areaId: 'area_main', waiterIds: [W.ben] },
  { id: 'tbl_06', name: 'Table 6', maxCovers: 8, areaId: 'area_main', waiterIds: [W.ben] },
  { id: 'tbl_07', name: 'Terrace 1', maxCovers: 4, areaId: 'area_terrace', waiterIds: [W.cara] },
  { id: 'tbl_08', name: 'Terrace 2', maxCovers: 4, areaId: 'area_terrace', waiterIds: [W.cara] },
  { id: 'tbl_09', name: 'Terrace 3', maxCovers: 2, areaId: 'area_terrace', waiterIds: [W.cara] },
  { id: 'tbl_10', name: 'Terrace 4', maxCovers: 6, areaId: 'area_terrace', waiterIds: [W.cara, W.alice] },
  { id: 'tbl_11', name: 'Bar 1', maxCovers: 2, areaId: 'area_bar', waiterIds: [W.ben] },
  { id: 'tbl_12', name: 'Bar 2', maxCovers: 2, areaId: 'area_bar', waiterIds: [W.ben] },
];

const SERVICE_BP = 1250; // 12.5% discretionary service charge on table orders
const VAT_BP = 2000; // 20% VAT, included in menu prices

type Cur = 'GBP' | 'EUR';
const m = (value: number, currencyCode: Cur) => ({ value, currencyCode });
const mod = (name: string, plu: string, price: number, quantity: number, c: Cur): Modifier => ({ name, plu, quantity, amountPerModifier: m(price, c) });
const sub = (name: string, plu: string, price: number, quantity: number, c: Cur, modifiers?: Modifier[]): OrderSubItem =>
  modifiers ? { name, plu, quantity, amountPerItem: m(price, c), modifiers } : { name, plu, quantity, amountPerItem: m(price, c) };

/** The menu, as item builders per currency. */
const MENU: Array<(c: Cur, qty: number) => OrderItem> = [
  (c, q) => ({ name: 'Gate burger', plu: 'BRG-01', quantity: q, amountPerItem: m(1250, c), modifiers: [mod('Extra cheese', 'MOD-CHS', 100, 1, c), mod('Bacon', 'MOD-BCN', 150, 2, c)] }),
  (c, q) => ({ name: 'Fries', plu: 'SID-FRY', quantity: q, amountPerItem: m(395, c) }),
  (c, q) => ({ name: 'Caesar salad', plu: 'STR-CSR', quantity: q, amountPerItem: m(995, c), note: 'dressing on the side' }),
  (c, q) => ({ name: 'Fish and chips', plu: 'MN-FSH', quantity: q, amountPerItem: m(1550, c) }),
  (c, q) => ({
    name: 'Sirloin steak', plu: 'MN-STK', quantity: q, amountPerItem: m(2450, c),
    subItems: [sub('Peppercorn sauce', 'SUB-PEP', 250, 1, c), sub('Chips', 'SUB-CHP', 0, 1, c, [mod('Truffle oil', 'MOD-TRF', 150, 1, c)])],
  }),
  (c, q) => ({
    name: 'Sharing platter', plu: 'SHR-PLT', quantity: q, amountPerItem: m(1895, c),
    subItems: [sub('Wings', 'SUB-WNG', 0, 1, c), sub('Nachos', 'SUB-NCH', 0, 1, c), sub('Dip', 'SUB-DIP', 150, 2, c, [mod('Extra jalapeño', 'MOD-JAL', 50, 1, c)])],
  }),
  (c, q) => ({ name: 'Lemonade', plu: 'DRK-LEM', quantity: q, amountPerItem: m(350, c) }),
  (c, q) => ({ name: 'Pint of lager', plu: 'DRK-PNT', quantity: q, amountPerItem: m(575, c) }),
  (c, q) => ({ name: 'Glass of red', plu: 'DRK-RED', quantity: q, amountPerItem: m(725, c) }),
  (c, q) => ({ name: 'Sticky toffee pudding', plu: 'DST-STP', quantity: q, amountPerItem: m(695, c), modifiers: [mod('Extra custard', 'MOD-CST', 75, 1, c)] }),
];

export interface SeedOrder {
  tableId?: string;
  partyId?: string;
  reservationId?: string;
  items: OrderItem[];
  discounts: Discount[];
  currency: Cur;
  collection?: boolean;
  status?: 'Accepted' | 'Preparing' | 'Ready' | 'Finalized' | 'Canceled';
  /** Payments already taken at the till, in minor units. */
  paid?: number[];
  note?: string;
}

/** Totals by the house rules: VAT included, service charge on table orders. */
export function priceOrder(o: { items: OrderItem[]; discounts: Discount[]; currency: Cur; serviceCharged: boolean }) {
  const net = itemsCost(o.items) - discountsCost(o.discounts);
  const service = o.serviceCharged ? Math.round((net * SERVICE_BP) / 10_000) : 0;
  const taxLines: TaxLine[] = [{ id: 'vat-20', name: 'VAT 20% (included)', amountPercentage: VAT_BP, amountTotal: m(includedTax(net, VAT_BP), o.currency) }];
  return { service, total: net + service, taxLines };
}

function seedOrders(): SeedOrder[] {
  const out: SeedOrder[] = [];
  const tables = TABLES.map((t) => t.id);
  // 24 ordinary open orders spread over the floor, items picked round-robin from the menu.
  for (let i = 0; i < 24; i++) {
    const items = [0, 1, 2].map((k) => MENU[(i * 3 + k) % MENU.length]('GBP', 1 + ((i + k) % 3)));
    const discounts: Discount[] = [];
    if (i % 5 === 0) discounts.push({ name: 'Staff discount', discountReference: 'STAFF', amountTotal: m(200, 'GBP') });
    if (i % 7 === 3) {
      const drink = items.find((x) => x.plu.startsWith('DRK-'));
      if (drink) discounts.push({ name: 'Happy hour 10%', code: 'HAPPY10', affectedPlu: drink.plu, amountPercentage: 1000, amountTotal: m(Math.round(drink.quantity * drink.amountPerItem.value * 0.1), 'GBP') });
    }
    out.push({ tableId: tables[i % tables.length], items, discounts, currency: 'GBP', status: i % 4 === 1 ? 'Preparing' : 'Accepted', paid: i === 5 ? [1000] : undefined });
  }
  out.push({ tableId: 'tbl_10', items: [MENU[0]('EUR', 2), MENU[7]('EUR', 2)], discounts: [], currency: 'EUR', note: 'tourist group, euro bill' });
  out.push({ collection: true, items: [MENU[3]('GBP', 2), MENU[1]('GBP', 2)], discounts: [], currency: 'GBP', status: 'Ready', note: 'collection at 19:30' });
  out.push({ tableId: 'tbl_05', items: [MENU[8]('GBP', 2)], discounts: [], currency: 'GBP', status: 'Finalized', paid: [-1] });
  out.push({ tableId: 'tbl_12', items: [MENU[7]('GBP', 1)], discounts: [], currency: 'GBP', status: 'Canceled' });
  return out;
}

export function seed(db: Db, now: Date): void {
  const empty = (db.prepare('SELECT COUNT(*) AS n FROM areas').get() as { n: number }).n === 0;
  if (!empty) return;
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  db.transaction(() => {
    for (const a of AREAS) db.prepare('INSERT INTO areas (id, name) VALUES (?, ?)').run(a.id, a.name);
    for (const t of TABLES) {
      db.prepare('INSERT INTO tables (id, name, max_covers, area_id, waiter_ids) VALUES (?, ?, ?, ?, ?)').run(t.id, t.name, t.maxCovers, t.areaId, JSON.stringify(t.waiterIds));
    }

    const reservations = [
      { name: 'Sasha J.', covers: 2, start: 60 * 3, tables: ['tbl_01'], host: 'anniversary', guest: 'window seat please' },
      { name: 'Priya K.', covers: 6, start: 60 * 4, tables: ['tbl_06'], host: 'regulars' },
      { name: 'Tom W.', covers: 4, start: 60 * 26, tables: ['tbl_07'], guest: 'bringing a dog' },
      { name: 'Martin B.', covers: 4, start: -30, tables: ['tbl_02', 'tbl_03'] },
    ];
    for (const r of reservations) {
      const id = `res_${String(nextNumber(db, 'reservation')).padStart(4, '0')}`;
      db.prepare('INSERT INTO reservations (id, dojo_reservation_id, name, covers, start_time, end_time, table_ids, host_notes, guest_requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, null, r.name, r.covers, at(r.start), at(r.start + 120), JSON.stringify(r.tables), r.host ?? null, r.guest ?? null);
    }

    const parties = [
      { name: 'Martin B.', covers: 4, tables: ['tbl_02', 'tbl_03'], status: 'Ordered', start: -25, reservationId: 'res_0004' },
      { name: 'Walk-in', covers: 2, tables: ['tbl_01'], status: 'Seated', start: -40 },
      { name: 'Lee family', covers: 4, tables: ['tbl_07'], status: 'Paying', start: -70, deposit: true },
      { name: 'Early lunch', covers: 2, tables: ['tbl_09'], status: 'Left', start: -200, end: -120 },
    ];
    for (const p of parties) {
      const id = `pty_${String(nextNumber(db, 'party')).padStart(4, '0')}`;
      db.prepare(
        'INSERT INTO parties (id, dojo_party_id, name, covers, table_ids, status, start_time, expected_end_time, end_time, reservation_id, deposit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        id, null, p.name, p.covers, JSON.stringify(p.tables), p.status, at(p.start), at(p.start + 90), p.end !== undefined ? at(p.end) : null,
        p.reservationId ?? null, p.deposit ? JSON.stringify({ totalAmount: m(2000, 'GBP'), paymentIntentIds: ['pi_seed_deposit_1'] }) : null,
      );
    }
    const partyOfTable = new Map<string, string>([['tbl_02', 'pty_0001'], ['tbl_03', 'pty_0001'], ['tbl_01', 'pty_0002'], ['tbl_07', 'pty_0003']]);

    const orders = seedOrders();
    orders.forEach((o, i) => {
      const n = nextNumber(db, 'order');
      const id = `ord_${String(n).padStart(4, '0')}`;
      const table = o.tableId ? TABLES.find((t) => t.id === o.tableId) : undefined;
      const priced = priceOrder({ items: o.items, discounts: o.discounts, currency: o.currency, serviceCharged: !!table && table.areaId !== 'area_bar' });
      const created = at(-(orders.length - i) * 3);
      const partyId = o.tableId ? partyOfTable.get(o.tableId) : undefined;
      db.prepare(
        `INSERT INTO orders (id, reference, display_name, status, order_type, table_id, waiter_id, party_id, reservation_id, collection, currency,
           items, discounts, tax_lines, service_charge, total, note, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id, `#${1000 + n}`, table ? `${table.name}` : `Collection #${1000 + n}`, o.status ?? 'Accepted', o.collection ? 'Collection' : 'DineIn',
        o.tableId ?? null, table?.waiterIds[0] ?? null, partyId ?? null, partyId === 'pty_0001' ? 'res_0004' : null,
        o.collection ? JSON.stringify({ asap: false, collectAt: at(45) }) : null, o.currency,
        JSON.stringify(o.items), JSON.stringify(o.discounts), JSON.stringify(priced.taxLines), priced.service, priced.total, o.note ?? null, created, created,
      );
      (o.paid ?? []).forEach((amount, k) => {
        db.prepare('INSERT INTO payments (order_id, payment_intent_id, paid, tips, recorded_at) VALUES (?, ?, ?, ?, ?)')
          .run(id, `pi_seed_${n}_${k}`, amount < 0 ? priced.total : amount, amount < 0 ? 200 : 0, created);
      });
    });
  })();
}
