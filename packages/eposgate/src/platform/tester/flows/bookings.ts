// Bookings: parties (guests seated at tables), reservations, and the journey that joins them
// (a reservation, then the party seated for it with its reservationId).
import type { CapabilityName, Party, Reservation } from '@eposgate/contract';
import { Checker, fail } from '../checks.ts';
import type { FlowRun } from '../flow.ts';
import type { FlowDef } from '../types.ts';
import { P, findTable, isoIn, testerId, walk } from './common.ts';

/** Deletes what the flow made (its left-behind clean-up `undo` is then dropped) and checks it is NotFound after. */
async function deleteAndCheckGone(run: FlowRun, what: string, del: CapabilityName, get: CapabilityName, id: Record<string, string>, undo: () => void): Promise<void> {
  await run.step(`Delete ${what} (${del})`, async (s) => {
    await s.call(del, id);
    undo();
    await s.expectError(get, id, ['NotFound']);
  });
}

async function table(run: FlowRun): Promise<string> {
  const t = await findTable(run, { free: true });
  if (t) return t;
  return run.step('Choose a table', async () => fail('no table to use: give the tableId param, or register SearchTables'));
}

function checkParty(c: Checker, sent: { tableIds: string[]; covers?: number; reservationId?: string }, p: Party): Checker {
  c.equal('$.tableIds', [...sent.tableIds].sort(), [...p.tableIds].sort(), 'are not the tables the party was seated at');
  if (sent.covers !== undefined) c.equal('$.covers', sent.covers, p.covers, 'is not the number of covers sent');
  if (sent.reservationId !== undefined) c.equal('$.reservationId', sent.reservationId, p.reservationId, 'does not link the party to its reservation');
  return c;
}

function checkReservation(c: Checker, sent: { name: string; covers: number; startTime: string; endTime: string; tableIds: string[] }, r: Reservation): Checker {
  c.equal('$.name', sent.name, r.name, 'is not the name sent');
  c.equal('$.covers', sent.covers, r.covers, 'is not the number of covers sent');
  c.that(Date.parse(r.startTime) === Date.parse(sent.startTime), '$.startTime', 'is not the start time sent', sent.startTime, r.startTime);
  c.that(Date.parse(r.endTime) === Date.parse(sent.endTime), '$.endTime', 'is not the end time sent', sent.endTime, r.endTime);
  c.equal('$.tableIds', [...sent.tableIds].sort(), [...r.tableIds].sort(), 'are not the tables sent');
  return c;
}

export const partiesFlow: FlowDef = {
  name: 'Parties',
  flowName: 'Parties through EPOS Data API',
  family: 'Parties',
  description: 'Seats a party at a free table (CreateParty), reads it (GetPartyById), updates its covers and status (UpdateParty), finds it by table (SearchParties), deletes it (DeletePartyById) and checks it is then NotFound. Changes data: creates one party and deletes it again.',
  changesData: true,
  requires: ['CreateParty', 'GetPartyById', 'UpdateParty', 'SearchParties', 'DeletePartyById'],
  products: { Bookings: 'required' },
  uses: ['SearchTables'],
  faults: ['CreateParty:contract'],
  params: [P.tableId, { ...P.maxPages, default: 5 }],
  async run(run) {
    const tableId = await table(run);
    const sent = { dojoPartyId: testerId(run, 'party'), name: 'Tester party', covers: 2, tableIds: [tableId], status: 'Seated', startTime: new Date().toISOString(), expectedEndTime: isoIn(90 * 60_000) };
    const party = await run.step(`Seat a party at table ${tableId} (CreateParty)`, async (s) => {
      const p = await s.call('CreateParty', sent);
      checkParty(new Checker(), sent, p).assert('CreateParty did not answer the party that was sent');
      s.info(`party ${p.id}`);
      return p;
    });
    const undo = run.defer(`Delete party ${party.id} left behind (DeletePartyById)`, (s) => s.call('DeletePartyById', { partyId: party.id }));
    await run.step(`Get party ${party.id} (GetPartyById)`, async (s) => {
      const p = await s.call('GetPartyById', { partyId: party.id });
      checkParty(new Checker().equal('$.id', party.id, p.id, 'is not the party asked for'), sent, p).assert('GetPartyById answered another party');
    });
    const update = { id: party.id, dojoPartyId: sent.dojoPartyId, name: sent.name, covers: 3, tableIds: [tableId], status: 'Ordered', startTime: sent.startTime };
    await run.step(`Update party ${party.id}: 3 covers, status Ordered (UpdateParty)`, async (s) => {
      const p = await s.call('UpdateParty', update);
      new Checker().equal('$.id', party.id, p.id, 'is not the party updated').equal('$.covers', 3, p.covers, 'the update did not stick')
        .equal('$.status', 'Ordered', p.status, 'the update did not stick').assert('UpdateParty did not update the party');
    });
    await run.step(`Find the party by its table (SearchParties tableId)`, async (s) => {
      const w = await walk(s, 'SearchParties', { tableId }, 20, run.int('maxPages'), (p) => p.id === party.id);
      const c = new Checker().that(w.items.some((p) => p.id === party.id), '$.data[*].id', `party ${party.id} is not listed for table ${tableId}`, party.id, w.items.map((p) => p.id));
      w.items.forEach((p, i) => c.that(p.tableIds.includes(tableId), `$.data[${i}].tableIds`, `party ${p.id} is not at the table searched`, `to include ${tableId}`, p.tableIds));
      c.assert('SearchParties by tableId does not find the party');
    });
    await deleteAndCheckGone(run, `party ${party.id}`, 'DeletePartyById', 'GetPartyById', { partyId: party.id }, undo);
  },
};

export const reservationsFlow: FlowDef = {
  name: 'Reservations',
  flowName: 'Reservations through EPOS Data API',
  family: 'Reservations',
  description: 'Books a table for tomorrow (CreateReservation), reads it (GetReservationById), changes its covers (UpdateReservation), finds it in its time window (SearchReservations fromTime/toTime), deletes it (DeleteReservationById) and checks it is then NotFound. Changes data: creates one reservation and deletes it again.',
  changesData: true,
  requires: ['CreateReservation', 'GetReservationById', 'UpdateReservation', 'SearchReservations', 'DeleteReservationById'],
  products: { Bookings: 'required' },
  uses: ['SearchTables'],
  faults: ['CreateReservation:contract'],
  params: [P.tableId, { ...P.maxPages, default: 20 }],
  async run(run) {
    const tableId = run.str('tableId') ?? (await findTable(run, { free: false })) ?? (await table(run));
    const start = new Date(Date.now() + 24 * 3600_000 + Math.floor(Math.random() * 3600) * 1000);
    start.setUTCMilliseconds(0);
    const sent = {
      dojoReservationId: testerId(run, 'reservation'), name: 'Tester booking', covers: 2,
      startTime: start.toISOString(), endTime: new Date(start.getTime() + 2 * 3600_000).toISOString(), tableIds: [tableId], guestRequests: 'created by the EPOS tester',
    };
    const res = await run.step(`Book table ${tableId} for ${sent.startTime} (CreateReservation)`, async (s) => {
      const r = await s.call('CreateReservation', sent);
      checkReservation(new Checker(), sent, r).assert('CreateReservation did not answer the reservation that was sent');
      s.info(`reservation ${r.id}`);
      return r;
    });
    const undo = run.defer(`Delete reservation ${res.id} left behind (DeleteReservationById)`, (s) => s.call('DeleteReservationById', { reservationId: res.id }));
    await run.step(`Get reservation ${res.id} (GetReservationById)`, async (s) => {
      const r = await s.call('GetReservationById', { reservationId: res.id });
      checkReservation(new Checker().equal('$.id', res.id, r.id, 'is not the reservation asked for'), sent, r).assert('GetReservationById answered another reservation');
    });
    const update = { ...sent, id: res.id, covers: 4 };
    await run.step(`Update reservation ${res.id}: 4 covers (UpdateReservation)`, async (s) => {
      const r = await s.call('UpdateReservation', update);
      checkReservation(new Checker().equal('$.id', res.id, r.id, 'is not the reservation updated'), update, r).assert('UpdateReservation did not update the reservation');
    });
    await run.step('Find the reservation in its time window (SearchReservations)', async (s) => {
      const fromTime = new Date(start.getTime() - 3600_000).toISOString();
      const toTime = new Date(start.getTime() + 3600_000).toISOString();
      const w = await walk(s, 'SearchReservations', { fromTime, toTime }, 20, run.int('maxPages'), (r) => r.id === res.id);
      const c = new Checker().that(w.items.some((r) => r.id === res.id), '$.data[*].id', `reservation ${res.id} is not in the window ${fromTime} – ${toTime}`, res.id, w.items.map((r) => r.id));
      w.items.forEach((r, i) => c.that(Date.parse(r.endTime) > Date.parse(fromTime) && Date.parse(r.startTime) < Date.parse(toTime), `$.data[${i}]`, `reservation ${r.id} lies outside the window searched`, `overlapping ${fromTime} – ${toTime}`, { startTime: r.startTime, endTime: r.endTime }));
      c.assert('SearchReservations by time window does not find the reservation');
    });
    await deleteAndCheckGone(run, `reservation ${res.id}`, 'DeleteReservationById', 'GetReservationById', { reservationId: res.id }, undo);
  },
};

export const bookingsFlow: FlowDef = {
  name: 'Bookings',
  flowName: 'Bookings through EPOS Data API',
  family: 'Bookings',
  description: 'The Bookings journey: a reservation for today (CreateReservation), its covers changed (UpdateReservation, when registered), then the guests seated as a party carrying its reservationId (CreateParty), read back (GetPartyById, when registered). Changes data: creates a reservation and a party, and deletes both at the end when DeletePartyById / DeleteReservationById are registered.',
  changesData: true,
  requires: ['CreateReservation', 'CreateParty'],
  products: { Bookings: 'required' },
  uses: ['UpdateReservation', 'GetPartyById', 'DeletePartyById', 'DeleteReservationById', 'SearchTables', 'SearchParties'],
  faults: ['CreateReservation:error=Conflict'],
  params: [P.tableId, { ...P.maxPages, default: 5 }],
  async run(run) {
    const tableId = await table(run);
    const start = new Date(Date.now() + 5 * 60_000);
    start.setUTCMilliseconds(0);
    const booking = {
      dojoReservationId: testerId(run, 'reservation'), name: 'Tester booking', covers: 2,
      startTime: start.toISOString(), endTime: new Date(start.getTime() + 2 * 3600_000).toISOString(), tableIds: [tableId],
    };
    const res = await run.step(`Book table ${tableId} for today (CreateReservation)`, async (s) => {
      const r = await s.call('CreateReservation', booking);
      checkReservation(new Checker(), booking, r).assert('CreateReservation did not answer the reservation that was sent');
      return r;
    });
    if (await run.has('DeleteReservationById')) {
      run.defer(`Delete reservation ${res.id} (DeleteReservationById)`, (s) => s.call('DeleteReservationById', { reservationId: res.id }));
    }
    if (await run.has('UpdateReservation')) {
      await run.step(`The guests call: 3 covers (UpdateReservation)`, async (s) => {
        const update = { ...booking, id: res.id, covers: 3 };
        const r = await s.call('UpdateReservation', update);
        checkReservation(new Checker().equal('$.id', res.id, r.id, 'is not the reservation updated'), update, r).assert('UpdateReservation did not update the reservation');
        booking.covers = 3;
      });
    }
    const sent = {
      dojoPartyId: testerId(run, 'party'), name: booking.name, covers: booking.covers, tableIds: booking.tableIds, status: 'Seated',
      startTime: new Date().toISOString(), reservationId: res.id, dojoReservationId: booking.dojoReservationId,
    };
    const party = await run.step(`Seat the guests with reservationId ${res.id} (CreateParty)`, async (s) => {
      const p = await s.call('CreateParty', sent);
      checkParty(new Checker(), sent, p).assert('CreateParty did not answer the party of the reservation');
      return p;
    });
    if (await run.has('DeletePartyById')) {
      run.defer(`Delete party ${party.id} (DeletePartyById)`, (s) => s.call('DeletePartyById', { partyId: party.id }));
    }
    if (await run.has('GetPartyById')) {
      await run.step(`Get party ${party.id} (GetPartyById)`, async (s) => {
        const p = await s.call('GetPartyById', { partyId: party.id });
        checkParty(new Checker().equal('$.id', party.id, p.id, 'is not the party asked for'), sent, p).assert('GetPartyById answered another party');
      });
    }
  },
};
