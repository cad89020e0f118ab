// Tables and areas: the floor plan a terminal browses.
import { Checker, fail, repeats } from '../checks.ts';
import type { FlowDef } from '../types.ts';
import { P, walk } from './common.ts';

export const tablesAndAreasFlow: FlowDef = {
  name: 'Tables and Areas',
  flowName: 'Tables and areas through EPOS Data API',
  family: 'Tables & areas',
  description: 'Lists areas (ListAreas: ids unique), walks every table page by page (SearchTables: no table twice), checks each table\'s areaId is a listed area, then filters by one area and checks only its tables come back. Changes nothing.',
  changesData: false,
  requires: ['ListAreas', 'SearchTables'],
  products: { Bookings: 'required' },
  faults: ['ListAreas:contract', 'SearchTables:disconnect'],
  params: [{ name: 'pageSize', type: 'integer', required: false, default: 5, description: 'cursor.limit of every page (1-100)' }, { ...P.maxPages, default: 50 }],
  async run(run) {
    const areas = await run.step('List areas (ListAreas)', async (s) => {
      const list = await s.call('ListAreas', {});
      const twice = repeats(list.map((a) => a.id));
      if (twice.length) fail('ListAreas lists an area twice', { path: `$[${list.findIndex((a, i) => list.findIndex((b) => b.id === a.id) !== i)}].id`, message: 'is listed twice', expected: 'unique ids', actual: twice[0] });
      s.info(`${list.length} areas: ${list.map((a) => a.id).join(', ')}`);
      return list;
    });
    const limit = Math.min(run.int('pageSize'), 100);
    const tables = await run.step(`Walk all tables, ${limit} a page (SearchTables)`, async (s) => {
      const w = await walk(s, 'SearchTables', {}, limit, run.int('maxPages'));
      const ids = new Set(areas.map((a) => a.id));
      const c = new Checker();
      w.pages.forEach((page, n) => page.forEach((t, i) => {
        if (t.areaId !== undefined) c.that(ids.has(t.areaId), `$.data[${i}].areaId (page ${n + 1})`, `table ${t.id} is in an area ListAreas does not list`, [...ids], t.areaId);
      }));
      c.assert('tables name areas that do not exist');
      s.info(`${w.items.length} tables on ${w.pages.length} pages`);
      return w.items;
    });
    const area = areas.find((a) => tables.some((t) => t.areaId === a.id));
    if (area) {
      await run.step(`Search the tables of area ${area.id} (SearchTables areaId)`, async (s) => {
        const w = await walk(s, 'SearchTables', { areaId: area.id }, limit, run.int('maxPages'));
        const c = new Checker();
        w.pages.forEach((page, n) => page.forEach((t, i) => c.equal(`$.data[${i}].areaId (page ${n + 1})`, area.id, t.areaId, `table ${t.id} is not in the area searched`)));
        const expected = tables.filter((t) => t.areaId === area.id).map((t) => t.id).sort();
        c.equal('$.data[*].id', expected, w.items.map((t) => t.id).sort(), 'are not the tables of that area in the unfiltered search');
        c.assert('areaId did not filter the tables');
      });
    }
  },
};
