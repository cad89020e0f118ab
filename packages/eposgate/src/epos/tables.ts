// Areas and tables of the floor plan.
import { EposError, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { compact, json } from './db.ts';
import { pageQuery } from './paging.ts';
import type { Area, Restaurant, Table } from './restaurant.ts';

interface TableRow {
  seq: number;
  id: string;
  name: string;
  max_covers: number | null;
  area_id: string | null;
  waiter_ids: string;
}

function toTable(r: TableRow): Table {
  return compact({ id: r.id, name: r.name, maxCovers: r.max_covers ?? undefined, areaId: r.area_id ?? undefined, waiterIds: json<string[]>(r.waiter_ids, []) });
}

export function listAreas(restaurant: Restaurant): ResultOf<'ListAreas'> {
  const areas = restaurant.db.prepare('SELECT id, name FROM areas ORDER BY seq').all() as Array<{ id: string; name: string }>;
  const waiters = restaurant.db.prepare(
    'SELECT DISTINCT w.value AS waiter FROM tables t, json_each(t.waiter_ids) w WHERE t.area_id = ? ORDER BY w.value',
  );
  return areas.map((a): Area => ({ id: a.id, name: a.name, waiterIds: (waiters.all(a.id) as Array<{ waiter: string }>).map((w) => w.waiter) }));
}

export function searchTables(restaurant: Restaurant, p: ParamsOf<'SearchTables'>): ResultOf<'SearchTables'> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.areaId !== undefined) {
    if (!restaurant.db.prepare('SELECT 1 FROM areas WHERE id = ?').get(p.areaId)) throw new EposError('NotFound', `area ${p.areaId} does not exist`);
    where.push('area_id = ?');
    args.push(p.areaId);
  }
  if (p.waiterId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM json_each(tables.waiter_ids) w WHERE w.value = ?)');
    args.push(p.waiterId);
  }
  const page = pageQuery<TableRow>(restaurant.db, 'tables', 'tables', where, args, p.cursor);
  return compact({ data: page.rows.map(toTable), before: page.before, after: page.after });
}

/** Throws InvalidRequest naming the first table id that does not exist. */
export function assertTablesExist(restaurant: Restaurant, ids: string[]): void {
  if (ids.length === 0) throw new EposError('InvalidRequest', 'tableIds must name at least one table');
  const q = restaurant.db.prepare('SELECT 1 FROM tables WHERE id = ?');
  for (const id of ids) if (!q.get(id)) throw new EposError('InvalidRequest', `table ${id} does not exist`);
}

/**
 * Narrows a search of parties or reservations to the rows seated or booked at `tableId`, when one is
 * given: both keep their tables as a JSON array in `table_ids`.
 */
export function filterByTable(tbl: 'parties' | 'reservations', tableId: string | undefined, where: string[], args: unknown[]): void {
  if (tableId === undefined) return;
  where.push(`EXISTS (SELECT 1 FROM json_each(${tbl}.table_ids) t WHERE t.value = ?)`);
  args.push(tableId);
}
