// The tester: the flow catalogue (GET /epos-tester-tool/flows), a run started with its params
// (POST), and the run watched step by step (GET /epos-tester-tool/flows/{id}, polled until done),
// each step's calls to the EPOS open as raw exchanges.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/http.ts';
import * as api from '../api/tester.ts';
import * as registrations from '../api/registrations.ts';
import { navigate } from '../router.ts';
import { Badge, Json, Time } from '../ui/bits.tsx';
import { ErrorNotice, Loaded, useLoad } from '../ui/load.tsx';

const POLL_MS = 500;

/** Runs started in this tab, newest first, to come back to (the API has no list of runs). */
const recent: { id: string; flow: string; at: string }[] = [];

export function Tester({ route }: { route: string[] }) {
  if (route[0] === 'run' && route[1]) return <Run id={route[1]} />;
  return <Catalogue />;
}

/** Whether the EPOS's registrations let the flow run, and if not what is missing (as the CLI decides). */
function applies(f: api.FlowDescription, registered: Set<string> | null): { ok: boolean; missing: string[] } | null {
  if (!registered) return null;
  const missing = f.requires.filter((c) => !registered.has(c));
  for (const group of f.requiresOneOf) if (!group.some((c) => registered.has(c))) missing.push(`one of ${group.join(' / ')}`);
  return { ok: missing.length === 0, missing };
}

function Catalogue() {
  const flows = useLoad(() => api.flows(), []);
  const regs = useLoad(() => registrations.integrations(), []);
  const registered = regs.state === 'done'
    ? new Set([...regs.data.wsIntegrations, ...regs.data.restIntegrations].flatMap((i) => i.capabilities.map((c) => c.name)))
    : null;
  const [open, setOpen] = useState<string | null>(null);
  const [q, setQ] = useState('');
  return (
    <div>
      <h1>Tester</h1>
      <p class="muted">Run a flow against your EPOS through the platform, as a product would call it. Flows that change data need a sandbox key.</p>
      {recent.length ? (
        <p>Recent runs: {recent.map((r, i) => <span key={r.id}>{i ? ', ' : ''}<a href={`#/tester/run/${encodeURIComponent(r.id)}`}>{r.flow}</a></span>)}</p>
      ) : null}
      <div class="row filters"><label>Search<input value={q} placeholder="flow name" onInput={(e) => setQ((e.target as HTMLInputElement).value)} /></label></div>
      <Loaded load={flows} what="Tester flows">
        {(list) => (
          <table data-testid="flows">
            <thead><tr><th>flow</th><th>what it checks</th><th>products</th><th>changes data</th><th>applies</th><th></th></tr></thead>
            <tbody>
              {list.filter((f) => !q || f.name.toLowerCase().includes(q.toLowerCase())).map((f) => (
                <Fragment key={f.name}>
                  <tr data-flow={f.name}>
                    <td><strong>{f.name}</strong><div class="muted">{f.flowName}</div></td>
                    <td>{f.description}<div class="muted mono">requires {f.requires.join(', ') || '–'}</div></td>
                    <td>{Object.entries(f.products).map(([p, role]) => <div key={p}>{p} <span class="muted">({role})</span></div>)}</td>
                    <td>{f.changesData ? 'yes' : 'no'}</td>
                    <td><Applies a={applies(f, registered)} /></td>
                    <td><button onClick={() => setOpen(open === f.name ? null : f.name)}>{open === f.name ? 'Close' : 'Run…'}</button></td>
                  </tr>
                  {open === f.name ? <tr><td colSpan={6}><RunForm flow={f} /></td></tr> : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  );
}

function Applies({ a }: { a: { ok: boolean; missing: string[] } | null }) {
  if (!a) return <span class="muted">–</span>;
  return a.ok ? <span class="badge ok">yes</span> : <span class="badge" title={`not registered: ${a.missing.join(', ')}`}>no</span>;
}

/** The flow's params as inputs; empty ones are left out, so the flow's defaults apply. */
function RunForm({ flow }: { flow: api.FlowDescription }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const params: Record<string, unknown> = {};
    for (const p of flow.params) {
      const v = values[p.name]?.trim();
      if (!v) continue;
      // A value that is not a number is sent as typed: the platform names what is wrong with it.
      params[p.name] = p.type === 'integer' ? (/^-?\d+$/.test(v) ? Number(v) : v) : p.type === 'boolean' ? v === 'true' : v;
    }
    setBusy(true);
    setError(null);
    try {
      const id = await api.start(flow.name, params);
      recent.unshift({ id, flow: flow.name, at: new Date().toISOString() });
      recent.length = Math.min(recent.length, 10);
      navigate('tester', 'run', id);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid="run-form">
      {error ? <ErrorNotice error={error} /> : null}
      <div class="row">
        {flow.params.map((p) => (
          <label key={p.name} title={p.description}>
            {p.name}{p.required && p.default === undefined ? ' *' : ''} <span class="muted">({p.type})</span>
            {p.type === 'boolean' ? (
              <select name={p.name} value={values[p.name] ?? ''} onChange={(e) => setValues({ ...values, [p.name]: (e.target as HTMLSelectElement).value })}>
                <option value="">{p.default !== undefined ? `default (${p.default})` : '–'}</option>
                <option value="true">true</option><option value="false">false</option>
              </select>
            ) : (
              <input name={p.name} inputMode={p.type === 'integer' ? 'numeric' : undefined} placeholder={p.default ?? ''} value={values[p.name] ?? ''}
                onInput={(e) => setValues({ ...values, [p.name]: (e.target as HTMLInputElement).value })} />
            )}
          </label>
        ))}
        <button class="primary" type="submit" disabled={busy}>Run {flow.name}</button>
      </div>
      {flow.params.length ? <p class="muted">Leave a field empty for its default; hover a field for what it is.</p> : null}
    </form>
  );
}

function Run({ id }: { id: string }) {
  const [flow, setFlow] = useState<api.FlowResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Polls until the run is finished; stops when the page changes.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const f = await api.get(id);
        if (!live) return;
        setFlow(f);
        setError(null);
        if (f.status === 'IN_PROGRESS') timer = setTimeout(tick, POLL_MS);
      } catch (err) {
        if (!live) return;
        setError(err as ApiError);
        // A passing failure (network, 5xx) is retried; a refusal is shown.
        if ((err as ApiError).status === 0 || (err as ApiError).status >= 500) timer = setTimeout(tick, POLL_MS * 4);
      }
    };
    void tick();
    return () => { live = false; clearTimeout(timer); };
  }, [id]);
  return (
    <div>
      <p><a href="#/tester">← all flows</a></p>
      {error ? <ErrorNotice error={error} /> : null}
      {!flow ? (!error ? <p class="muted">Loading the run…</p> : null) : (
        <>
          <h1>{flow.flowName} <Badge value={flow.status} /></h1>
          <div class="kv panel">
            <div>run id</div><div class="mono">{flow.flowID}</div>
            <div>started</div><div><Time at={flow.startedAt} /></div>
            <div>finished</div><div>{flow.finishedAt ? <Time at={flow.finishedAt} /> : 'still running…'}</div>
          </div>
          <ol class="steps" data-testid="steps">
            {flow.steps.map((s, i) => <StepView key={i} step={s} />)}
          </ol>
        </>
      )}
    </div>
  );
}

function StepView({ step }: { step: api.Step }) {
  return (
    <li data-step-status={step.status}>
      <div class="head"><Badge value={step.status} /><strong class="step-name">{step.name}</strong></div>
      {step.additionalInformation.length ? <ul class="info">{step.additionalInformation.map((x, i) => <li key={i}>{x}</li>)}</ul> : null}
      {step.problems?.length ? (
        <table style="margin-top:6px">
          <thead><tr><th>path</th><th>problem</th><th>expected</th><th>actual</th></tr></thead>
          <tbody>{step.problems.map((p, i) => (
            <tr key={i}><td class="mono">{p.path}</td><td>{p.message}</td><td class="mono">{JSON.stringify(p.expected)}</td><td class="mono">{JSON.stringify(p.actual)}</td></tr>
          ))}</tbody>
        </table>
      ) : null}
      {step.exchanges?.map((x, i) => (
        <details key={i}>
          <summary>{x.capability} <span class="muted">· {x.ms} ms · {x.error ? x.error.code : 'ok'}</span></summary>
          <h3>request params</h3>
          <Json value={x.params} />
          <h3>{x.error ? 'error' : 'result'}</h3>
          <Json value={x.error ?? x.result} />
        </details>
      ))}
    </li>
  );
}
