// Event deliveries to the EPOS: the list with filters (GET /epos/events/deliveries), a banner
// when deliveries are paused (with Resume), replay by filter, and one delivery's attempts, its
// event and a resend (GET /epos/events/deliveries/{id}, POST …/resend).
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/http.ts';
import * as api from '../api/deliveries.ts';
import { href, navigate } from '../router.ts';
import { Badge, isoOf, Json, ms, PagedTable, Time } from '../ui/bits.tsx';
import { ErrorNotice, Loaded, useLoad } from '../ui/load.tsx';

const STATUSES: api.DeliveryStatus[] = ['pending', 'delivered', 'failed', 'skipped', 'expired'];

export function Deliveries({ route }: { route: string[] }) {
  if (route[0]) return <DeliveryDetail id={route[0]} />;
  return <DeliveryList />;
}

function lastError(e: api.Delivery['lastError']): string {
  return e ? `${e.code}: ${e.message}` : '';
}

/** While an event is pending the page asks again every second, so a resend is seen through to its outcome. */
const POLL_MS = 1000;

function DeliveryList() {
  const [form, setForm] = useState({ type: '', status: '', from: '', to: '' });
  const [filter, setFilter] = useState<api.DeliveryFilter>({});
  const [stack, setStack] = useState<string[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const list = useLoad(() => api.list(filter, { cursor: stack.at(-1), limit: 50 }), [JSON.stringify(filter), stack.join()]);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  // Pending rows on the page (just resent, replayed or resumed): look again until they settle. Not
  // while paused, where pending rows wait for a person.
  const waiting = !list.data?.paused && (list.data?.deliveries.some((x) => x.status === 'pending') ?? false);
  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(list.reload, 2 * POLL_MS);
    return () => clearTimeout(t);
  }, [waiting, list.data]);
  const act = async (what: () => Promise<string>) => {
    setError(null);
    try {
      setNote(await what());
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <div>
      <h1>Event deliveries
        <span style="float:right" class="row">
          <button data-testid="pause" disabled={!list.data || !!list.data.paused} title="Hold every delivery to the EPOS until resumed" onClick={() => {
            if (confirm('Pause every delivery to the EPOS until resumed?')) void act(async () => { await api.pause(); return 'Deliveries paused.'; });
          }}>Pause deliveries</button>
          <button onClick={list.reload}>Refresh</button>
        </span>
      </h1>
      {error ? <ErrorNotice error={error} /> : null}
      {note ? <div class="notice info">{note}</div> : null}
      <form class="row filters" onSubmit={(e) => {
        e.preventDefault();
        setStack([]);
        setFilter({ type: form.type.trim() || undefined, status: form.status || undefined, from: isoOf(form.from), to: isoOf(form.to) });
      }}>
        <label>type
          <select name="type" value={form.type} onChange={set('type')}>
            <option value="">any</option>{api.EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>status
          <select name="status" value={form.status} onChange={set('status')}>
            <option value="">any</option>{STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>from<input type="datetime-local" value={form.from} onInput={set('from')} /></label>
        <label>to<input type="datetime-local" value={form.to} onInput={set('to')} /></label>
        <button type="submit">Filter</button>
        <button type="button" data-testid="replay" disabled={filter.status === 'pending'}
          title={filter.status === 'pending' ? 'Pending events are queued already' : 'Deliver again every finished event the filter matches (without a status: the failed and expired ones)'}
          onClick={() => {
            const which = filter.status ? `${filter.status} event(s)` : 'failed and expired event(s)';
            if (!confirm(`Deliver again every ${which} this filter matches?`)) return;
            void act(async () => {
              const r = await api.replay(filter);
              return `${r.queued} event(s) queued again.${r.more ? ' More matched than one replay takes: replay again for the next ones.' : ''}`;
            });
          }}>Replay these…</button>
      </form>
      <Loaded load={list} what="Event deliveries">
        {(d) => (
          <>
            {d.paused ? (
              <div class="notice paused" data-testid="paused">
                <span><strong>Deliveries are paused</strong> since <Time at={d.paused.since} />: {d.paused.reason}. New events queue as pending; nothing is sent until resumed.</span>
                <button class="primary" onClick={() => void act(async () => `Resumed: ${(await api.resume()).resumed} pending event(s) going out now.`)}>Resume</button>
              </div>
            ) : null}
            <PagedTable testid="deliveries" head={['event id', 'type', 'status', 'attempts', 'created', 'last attempt · next', 'last error']}
              empty="No deliveries match." stack={stack} next={d.nextCursor} onPage={setStack}
              rows={d.deliveries.map((x) => (
                <tr key={x.id} class="clickable" data-testid="delivery" data-id={x.id} data-status={x.status} onClick={() => navigate('deliveries', x.id)}>
                  <td class="id nowrap"><a href={href('deliveries', x.id)} title={`seq ${x.seq} in the queue`}>{x.id}</a></td><td class="mono">{x.type}</td>
                  <td><Badge value={x.status} />{x.reason ? <div class="muted">{x.reason}</div> : null}</td>
                  <td class="num">{x.attempts}</td><td><Time at={x.createdAt} /></td>
                  <td><Time at={x.lastAttemptAt} />{x.nextAttemptAt ? <div class="muted">next <Time at={x.nextAttemptAt} /></div> : null}</td>
                  <td class="clip" title={lastError(x.lastError)}>{lastError(x.lastError)}</td>
                </tr>
              ))} />
          </>
        )}
      </Loaded>
    </div>
  );
}

function DeliveryDetail({ id }: { id: string }) {
  const d = useLoad(() => api.get(id), [id]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pending = d.data?.status === 'pending';
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(d.reload, POLL_MS);
    return () => clearTimeout(t);
  }, [pending, d.data]);
  const resend = async () => {
    setError(null);
    try {
      const r = await api.resend(id);
      setNote(r.delivery.status === 'pending' ? 'Queued again: the page follows it until it is delivered or fails.' : `Queued again (status ${r.delivery.status}).`);
      d.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <div>
      <p><a href="#/deliveries">← deliveries</a></p>
      {error ? <ErrorNotice error={error} /> : null}
      {note ? <div class="notice info">{note}</div> : null}
      <Loaded load={d} what="Delivery">
        {(x) => (
          <>
            <h1><span class="mono">{x.type}</span> <Badge value={x.status} />{' '}
              <button style="float:right" data-testid="resend" disabled={x.status === 'pending'}
                title={x.status === 'pending' ? 'Queued already' : 'Send this event to the EPOS again, as it was (same id)'} onClick={() => void resend()}>Resend</button>
            </h1>
            <div class="kv panel">
              <div>id · seq</div><div class="mono">{x.id} · {x.seq}</div>
              <div>created</div><div><Time at={x.createdAt} /></div>
              <div>attempts</div><div data-testid="attempts">{x.attempts}</div>
              {x.requeuedAt ? <><div>queued again</div><div><Time at={x.requeuedAt} /></div></> : null}
              {x.lastAttemptAt ? <><div>last attempt</div><div><Time at={x.lastAttemptAt} /></div></> : null}
              {x.deliveredAt ? <><div>delivered</div><div><Time at={x.deliveredAt} /></div></> : null}
              {x.nextAttemptAt ? <><div>next attempt</div><div><Time at={x.nextAttemptAt} /></div></> : null}
              {x.reason ? <><div>reason</div><div>{x.reason}</div></> : null}
              {x.lastError ? <><div>last error</div><div>{lastError(x.lastError)}</div></> : null}
            </div>
            <h2>Attempts</h2>
            <table data-testid="attempt-log">
              <thead><tr><th>at</th><th>outcome</th><th>transport</th><th>node</th><th>latency</th><th>error</th></tr></thead>
              <tbody>
                {x.attemptLog.map((a, i) => (
                  <tr key={i} data-testid="attempt" data-outcome={a.outcome}>
                    <td><Time at={a.at} /></td><td><Badge value={a.outcome} /></td><td>{a.transport ?? '–'}</td><td class="mono">{a.node}</td>
                    <td class="num">{ms(a.latencyMs)}</td><td>{a.error ? <><span class="mono">{a.error.code}</span>: {a.error.message}</> : ''}</td>
                  </tr>
                ))}
                {x.attemptLog.length === 0 ? <tr><td colSpan={6} class="muted">Not attempted yet.</td></tr> : null}
              </tbody>
            </table>
            <h2>Event</h2>
            <Json value={x.event} />
          </>
        )}
      </Loaded>
    </div>
  );
}
