// The call log: every call to the EPOS (GET /epos/logs) with filters and paging, charts of its
// statistics above, and one call's request and response (GET /epos/logs/{id}).
import { useState } from 'preact/hooks';
import * as api from '../api/calllog.ts';
import { href, navigate } from '../router.ts';
import { Badge, isoOf, Json, ms, PagedTable, Time } from '../ui/bits.tsx';
import { Loaded, useLoad } from '../ui/load.tsx';
import { Charts } from './Charts.tsx';

export function CallLog({ route }: { route: string[] }) {
  if (route[0]) return <CallDetail id={route[0]} />;
  return <CallList />;
}

function CallList() {
  const [form, setForm] = useState({ capability: '', status: '', from: '', to: '' });
  const [filter, setFilter] = useState<api.CallFilter>({});
  const [stack, setStack] = useState<string[]>([]);
  const [tick, setTick] = useState(0);
  const [capabilities, setCapabilities] = useState<string[]>([]);
  const logs = useLoad(() => api.list(filter, { cursor: stack.at(-1), limit: 50 }), [JSON.stringify(filter), stack.join(), tick]);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const apply = (e: Event) => {
    e.preventDefault();
    setStack([]);
    setFilter({ capability: form.capability.trim() || undefined, status: form.status.trim() || undefined, from: isoOf(form.from), to: isoOf(form.to) });
  };
  return (
    <div>
      <h1>Call log <button style="float:right" onClick={() => setTick((t) => t + 1)}>Refresh</button></h1>
      <Charts refresh={tick} onCapabilities={setCapabilities} />
      <form class="row filters" onSubmit={apply}>
        <label>capability<input name="capability" list="call-capabilities" value={form.capability} placeholder="GetOrderById" onInput={set('capability')} /></label>
        <datalist id="call-capabilities">{capabilities.map((c) => <option key={c} value={c} />)}</datalist>
        <label>status<input name="status" list="call-statuses" value={form.status} placeholder="ok, error or a code" onInput={set('status')} /></label>
        <datalist id="call-statuses"><option value="ok" /><option value="error" /><option value="EPOS_ERROR" /><option value="EPOS_TIMEOUT" /><option value="EPOS_NOT_CONNECTED" /><option value="EPOS_UNREACHABLE" /><option value="CONTRACT_VIOLATION" /><option value="VALIDATION_FAILED" /><option value="CAPABILITY_NOT_REGISTERED" /></datalist>
        <label>from<input type="datetime-local" value={form.from} onInput={set('from')} /></label>
        <label>to<input type="datetime-local" value={form.to} onInput={set('to')} /></label>
        <button type="submit">Filter</button>
      </form>
      <Loaded load={logs} what="Call log">
        {(d) => (
          <>
            <PagedTable testid="call-log" head={['at', 'capability', 'status', 'latency', 'transport', 'source', 'software house', 'id']}
              empty="No calls match." stack={stack} next={d.nextCursor} onPage={setStack}
              rows={d.logs.map((c) => (
                <tr key={c.id} class="clickable" data-testid="call-row" data-id={c.id} data-capability={c.capability} onClick={() => navigate('calls', c.id)}>
                  <td><Time at={c.at} /></td><td class="mono">{c.capability}</td>
                  <td><Badge value={c.status} />{c.errorCode ? <span class="mono"> {c.errorCode}</span> : null}</td>
                  <td class="num">{ms(c.latencyMs)}</td><td>{c.transport ?? '–'}</td><td>{c.source}</td>
                  <td class="mono">{c.requestor.softwareHouseId ?? ''}</td><td class="id"><a href={href('calls', c.id)}>{c.id}</a></td>
                </tr>
              ))} />
          </>
        )}
      </Loaded>
    </div>
  );
}

function CallDetail({ id }: { id: string }) {
  const call = useLoad(() => api.get(id), [id]);
  return (
    <div>
      <p><a href="#/calls">← call log</a></p>
      <Loaded load={call} what="Call">
        {(c) => (
          <>
            <h1><span class="mono">{c.capability}</span> <Badge value={c.status} /></h1>
            <div class="kv panel" data-testid="call">
              <div>id</div><div class="mono">{c.id}</div>
              <div>at</div><div><Time at={c.at} /></div>
              <div>latency</div><div>{ms(c.latencyMs)}</div>
              <div>transport · node</div><div class="mono">{c.transport ?? '– (refused before an EPOS was picked)'} · {c.node}</div>
              <div>source</div><div>{c.source}</div>
              {c.errorCode ? <><div>error code</div><div class="mono">{c.errorCode}</div></> : null}
              <div>requestor</div><div class="mono">{Object.entries(c.requestor).map(([k, v]) => `${k}: ${v ?? ''}`).join(' · ') || '–'}</div>
            </div>
            {c.truncated ? <div class="notice info">A body was longer than the platform keeps (limits.callLogBodyChars): it is shown as its first characters.</div> : null}
            <h2>Request params</h2>
            <Body value={c.request.params} cut={c.truncated} testid="call-params" />
            {'error' in c.response ? <CallErrorView error={c.response.error} /> : (
              <>
                <h2>Result</h2>
                <Body value={c.response.result} cut={c.truncated} testid="call-result" />
              </>
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}

/** The error: its code and message first, then the whole recorded body (the EPOS's own error in it). */
function CallErrorView({ error }: { error: api.CallError }) {
  const { excerpt, ...rest } = error;
  return (
    <>
      <h2>Error</h2>
      <div class="notice error" data-testid="call-error"><strong class="mono">{error.code}</strong>: {error.message}</div>
      {excerpt !== undefined ? <><h3>Body (excerpt)</h3><pre data-testid="call-response">{excerpt}</pre></> : <Body value={rest} cut={false} testid="call-response" />}
    </>
  );
}

/** A recorded body: pretty JSON, or a cut body's excerpt (then a string: the JSON's first characters) as it is. */
function Body({ value, cut, testid }: { value: unknown; cut: boolean; testid: string }) {
  return <div data-testid={testid}>{cut && typeof value === 'string' ? <pre>{value}</pre> : <Json value={value} />}</div>;
}
