// Reservations: future bookings of tables. SearchReservations' time window keeps every
// reservation that overlaps [fromTime, toTime).
import { EposError, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { compact, json, nextNumber } from './db.ts';
import { pageQuery } from './paging.ts';
import { assertTablesExist, filterByTable } from './tables.ts';
import type { Reservation, Restaurant } from './restaurant.ts';

interface ReservationRow {
  seq: number;
  id: string;
  dojo_reservation_id: string | null;
  name: string;
  covers: number;
  start_time: string;
  end_time: string;
  table_ids: string;
  host_notes: string | null;
  guest_requests: string | null;
}

function toReservation(r: ReservationRow): Reservation {
  return compact({
    id: r.id,
    name: r.name,
    covers: r.covers,
    startTime: r.start_time,
    endTime: r.end_time,
    tableIds: json<string[]>(r.table_ids, []),
    hostNotes: r.host_notes ?? undefined,
    guestRequests: r.guest_requests ?? undefined,
  });
}

function requireReservation(restaurant: Restaurant, id: string): ReservationRow {
  const row = restaurant.db.prepare('SELECT * FROM reservations WHERE id = ?').get(id) as ReservationRow | undefined;
  if (!row) throw new EposError('NotFound', `reservation ${id} does not exist`);
  return row;
}

function checkTimes(start: string, end: string): void {
  if (Date.parse(end) <= Date.parse(start)) throw new EposError('InvalidRequest', `endTime ${end} must be after startTime ${start}`);
}

function checkCovers(covers: number): void {
  if (covers < 1) throw new EposError('InvalidRequest', 'covers must be at least 1');
}

export function getReservationById(restaurant: Restaurant, p: ParamsOf<'GetReservationById'>): ResultOf<'GetReservationById'> {
  return toReservation(requireReservation(restaurant, p.reservationId));
}

export function createReservation(restaurant: Restaurant, p: ParamsOf<'CreateReservation'>): ResultOf<'CreateReservation'> {
  const db = restaurant.db;
  const existing = db.prepare('SELECT * FROM reservations WHERE dojo_reservation_id = ?').get(p.dojoReservationId) as ReservationRow | undefined;
  if (existing) return toReservation(existing); // a retried create
  assertTablesExist(restaurant, p.tableIds);
  checkTimes(p.startTime, p.endTime);
  checkCovers(p.covers);
  const id = db.transaction(() => {
    const reservationId = `res_${String(nextNumber(db, 'reservation')).padStart(4, '0')}`;
    db.prepare(
      `INSERT INTO reservations (id, dojo_reservation_id, name, covers, start_time, end_time, table_ids, host_notes, guest_requests)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(reservationId, p.dojoReservationId, p.name, p.covers, p.startTime, p.endTime, JSON.stringify(p.tableIds), p.hostNotes ?? null, p.guestRequests ?? null);
    return reservationId;
  })();
  restaurant.changed({ eventType: 'ReservationUpdated', event: { reservationId: id } });
  return getReservationById(restaurant, { reservationId: id });
}

export function updateReservation(restaurant: Restaurant, p: ParamsOf<'UpdateReservation'>): ResultOf<'UpdateReservation'> {
  requireReservation(restaurant, p.id);
  assertTablesExist(restaurant, p.tableIds);
  checkTimes(p.startTime, p.endTime);
  checkCovers(p.covers);
  restaurant.db.prepare(
    `UPDATE reservations SET dojo_reservation_id = ?, name = ?, covers = ?, start_time = ?, end_time = ?, table_ids = ?, host_notes = ?, guest_requests = ?
     WHERE id = ?`,
  ).run(p.dojoReservationId, p.name, p.covers, p.startTime, p.endTime, JSON.stringify(p.tableIds), p.hostNotes ?? null, p.guestRequests ?? null, p.id);
  restaurant.changed({ eventType: 'ReservationUpdated', event: { reservationId: p.id } });
  return getReservationById(restaurant, { reservationId: p.id });
}

export function deleteReservationById(restaurant: Restaurant, p: ParamsOf<'DeleteReservationById'>): ResultOf<'DeleteReservationById'> {
  requireReservation(restaurant, p.reservationId);
  restaurant.db.prepare('DELETE FROM reservations WHERE id = ?').run(p.reservationId);
  restaurant.changed({ eventType: 'ReservationUpdated', event: { reservationId: p.reservationId } });
  return {};
}

export function searchReservations(restaurant: Restaurant, p: ParamsOf<'SearchReservations'>): ResultOf<'SearchReservations'> {
  const where: string[] = [];
  const args: unknown[] = [];
  filterByTable('reservations', p.tableId, where, args);
  // Times are compared as instants (julianday), whatever offset they were written with.
  if (p.fromTime !== undefined) {
    where.push('julianday(end_time) > julianday(?)');
    args.push(p.fromTime);
  }
  if (p.toTime !== undefined) {
    where.push('julianday(start_time) < julianday(?)');
    args.push(p.toTime);
  }
  if (p.fromTime !== undefined && p.toTime !== undefined && Date.parse(p.toTime) <= Date.parse(p.fromTime)) {
    throw new EposError('InvalidRequest', 'toTime must be after fromTime');
  }
  const page = pageQuery<ReservationRow>(restaurant.db, 'reservations', 'reservations', where, args, p.cursor);
  return compact({ data: page.rows.map(toReservation), before: page.before, after: page.after });
}
