// Parties: guests currently seated across one or more tables. A table seats one active party at a
// time; a party that has left (endTime set) frees its tables and shows only in completed searches.
import { EposError, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { compact, json, nextNumber } from './db.ts';
import { pageQuery } from './paging.ts';
import { assertTablesExist, filterByTable } from './tables.ts';
import type { Party, Restaurant } from './restaurant.ts';

interface PartyRow {
  seq: number;
  id: string;
  dojo_party_id: string | null;
  name: string | null;
  covers: number | null;
  table_ids: string;
  status: string;
  start_time: string;
  expected_end_time: string | null;
  end_time: string | null;
  host_notes: string | null;
  guest_requests: string | null;
  reservation_id: string | null;
  deposit: string | null;
}

function toParty(r: PartyRow): Party {
  return compact({
    id: r.id,
    name: r.name ?? undefined,
    covers: r.covers ?? undefined,
    tableIds: json<string[]>(r.table_ids, []),
    status: r.status,
    startTime: r.start_time,
    expectedEndTime: r.expected_end_time ?? undefined,
    endTime: r.end_time ?? undefined,
    hostNotes: r.host_notes ?? undefined,
    guestRequests: r.guest_requests ?? undefined,
    reservationId: r.reservation_id ?? undefined,
    deposit: r.deposit ? json(r.deposit, undefined) : undefined,
  });
}

function requireParty(restaurant: Restaurant, id: string): PartyRow {
  const row = restaurant.db.prepare('SELECT * FROM parties WHERE id = ?').get(id) as PartyRow | undefined;
  if (!row) throw new EposError('NotFound', `party ${id} does not exist`);
  return row;
}

/** Refuses seating a party at a table another active party occupies. */
function assertTablesFree(restaurant: Restaurant, tableIds: string[], exceptPartyId?: string): void {
  const q = restaurant.db.prepare(
    `SELECT p.id FROM parties p, json_each(p.table_ids) t
     WHERE t.value = ? AND p.end_time IS NULL AND p.id IS NOT ? LIMIT 1`,
  );
  for (const t of tableIds) {
    const other = q.get(t, exceptPartyId ?? null) as { id: string } | undefined;
    if (other) throw new EposError('Conflict', `table ${t} is occupied by party ${other.id}`);
  }
}

export function getPartyById(restaurant: Restaurant, p: ParamsOf<'GetPartyById'>): ResultOf<'GetPartyById'> {
  return toParty(requireParty(restaurant, p.partyId));
}

export function createParty(restaurant: Restaurant, p: ParamsOf<'CreateParty'>): ResultOf<'CreateParty'> {
  const db = restaurant.db;
  const existing = db.prepare('SELECT * FROM parties WHERE dojo_party_id = ?').get(p.dojoPartyId) as PartyRow | undefined;
  if (existing) return toParty(existing); // a retried create
  assertTablesExist(restaurant, p.tableIds);
  assertTablesFree(restaurant, p.tableIds);
  if (p.reservationId && !db.prepare('SELECT 1 FROM reservations WHERE id = ?').get(p.reservationId)) {
    throw new EposError('InvalidRequest', `reservation ${p.reservationId} does not exist`);
  }
  const id = db.transaction(() => {
    const partyId = `pty_${String(nextNumber(db, 'party')).padStart(4, '0')}`;
    db.prepare(
      `INSERT INTO parties (id, dojo_party_id, name, covers, table_ids, status, start_time, expected_end_time, host_notes, guest_requests, reservation_id, deposit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      partyId, p.dojoPartyId, p.name ?? null, p.covers ?? null, JSON.stringify(p.tableIds), p.status || 'Seated', p.startTime,
      p.expectedEndTime ?? null, p.hostNotes ?? null, p.guestRequests ?? null, p.reservationId ?? null, p.deposit ? JSON.stringify(p.deposit) : null,
    );
    return partyId;
  })();
  restaurant.changed({ eventType: 'PartyUpdated', event: { partyId: id } });
  return getPartyById(restaurant, { partyId: id });
}

export function updateParty(restaurant: Restaurant, p: ParamsOf<'UpdateParty'>): ResultOf<'UpdateParty'> {
  const before = requireParty(restaurant, p.id);
  assertTablesExist(restaurant, p.tableIds);
  if (!p.endTime) assertTablesFree(restaurant, p.tableIds, p.id);
  // The deposit's payment intents belong to Dojo: an update may not change them.
  const deposit = p.deposit ? JSON.stringify(p.deposit) : before.deposit;
  restaurant.db.prepare(
    `UPDATE parties SET dojo_party_id = ?, name = ?, covers = ?, table_ids = ?, status = ?, start_time = ?, expected_end_time = ?,
       end_time = ?, host_notes = ?, guest_requests = ?, deposit = ? WHERE id = ?`,
  ).run(
    p.dojoPartyId, p.name ?? null, p.covers ?? null, JSON.stringify(p.tableIds), p.status, p.startTime, p.expectedEndTime ?? null,
    p.endTime ?? null, p.hostNotes ?? null, p.guestRequests ?? null, deposit, p.id,
  );
  restaurant.changed({ eventType: 'PartyUpdated', event: { partyId: p.id } });
  return getPartyById(restaurant, { partyId: p.id });
}

export function deletePartyById(restaurant: Restaurant, p: ParamsOf<'DeletePartyById'>): ResultOf<'DeletePartyById'> {
  requireParty(restaurant, p.partyId);
  restaurant.db.prepare('DELETE FROM parties WHERE id = ?').run(p.partyId);
  restaurant.changed({ eventType: 'PartyUpdated', event: { partyId: p.partyId } });
  return {};
}

export function searchParties(restaurant: Restaurant, p: ParamsOf<'SearchParties'>): ResultOf<'SearchParties'> {
  const where = [p.completedOnly ? 'end_time IS NOT NULL' : 'end_time IS NULL'];
  const args: unknown[] = [];
  filterByTable('parties', p.tableId, where, args);
  const page = pageQuery<PartyRow>(restaurant.db, 'parties', 'parties', where, args, p.cursor);
  return compact({ data: page.rows.map(toParty), before: page.before, after: page.after });
}
