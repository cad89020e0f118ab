// Connections & readiness: the EPOS sockets open on every node (GET /epos/connections), and for
// each product whether the EPOS is ready for it (GET /epos/readiness).
import * as api from '../api/health.ts';
import { Badge, Time } from '../ui/bits.tsx';
import { Loaded, useLoad } from '../ui/load.tsx';

export function Connections() {
  const conns = useLoad(() => api.connections(), []);
  const ready = useLoad(() => api.readiness(), []);
  return (
    <div>
      <h1>Connections &amp; readiness <button style="float:right" onClick={() => { conns.reload(); ready.reload(); }}>Refresh</button></h1>
      <h2>EPOS connections</h2>
      <Loaded load={conns} what="Connections">
        {(c) => (
          <>
            {c.unreachable?.length ? (
              <div class="notice error" data-testid="unreachable">
                Nodes that did not answer (their sockets are missing below):
                <ul>{c.unreachable.map((u) => <li key={u.node}><span class="mono">{u.node}</span>: {u.reason}</li>)}</ul>
              </div>
            ) : null}
            <table data-testid="connections">
              <thead><tr><th>socket</th><th>node</th><th>connected</th><th>remote</th><th>SDK</th><th>last pong</th><th>in flight</th><th>serving</th></tr></thead>
              <tbody>
                {c.connections.map((s) => (
                  <tr key={s.id} data-testid="connection">
                    <td class="id">{s.id}</td><td class="mono" data-col="node">{s.node}</td><td data-col="connectedAt"><Time at={s.connectedAt} /></td><td class="mono">{s.remoteAddress}</td>
                    <td class="mono" data-col="sdk">{s.sdk ? `${s.sdk.name} ${s.sdk.version}` : '–'}</td><td><Time at={s.lastPongAt} /></td><td class="num">{s.inFlight}</td>
                    <td title="Calls on its node go to this socket (the newest open one there)">{s.serving === undefined ? '–' : s.serving ? 'yes' : 'no'}</td>
                  </tr>
                ))}
                {c.connections.length === 0 ? <tr><td colSpan={8} class="muted">No EPOS socket is open.</td></tr> : null}
              </tbody>
            </table>
            <div class="kv" style="margin-top:10px">
              <div>registered on WebSocket</div><div class="mono">{c.registered.ws ? c.registered.ws.join(', ') || '(none)' : 'not registered'}</div>
              <div>registered on REST</div>
              <div class="mono">{c.registered.rest ? `${c.registered.rest.url}: ${c.registered.rest.capabilities.join(', ')}` : 'not registered'}</div>
            </div>
          </>
        )}
      </Loaded>
      <h2>Readiness per product</h2>
      <Loaded load={ready} what="Readiness">
        {(r) => (
          <>
            {r.products.map((p) => (
              <section class="panel" key={p.product} data-testid="readiness-product" data-product={p.product} data-status={p.status}>
                <h3 style="margin-top:0">{p.product} <Badge value={p.status} /></h3>
                <p class="muted">{p.rule}</p>
                <table>
                  <thead><tr><th>capability</th><th>need</th><th>registered</th><th>proven by the tester</th></tr></thead>
                  <tbody>
                    {p.capabilities.map((c) => (
                      <tr key={c.name}>
                        <td class="mono">{c.name}</td><td>{c.need}</td><td>{c.registered ? 'yes' : 'no'}</td>
                        <td>{c.proven === null ? 'not tested' : c.proven ? <>yes, <Time at={c.provenAt} /></> : 'no'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {p.reasons.length ? <ul>{p.reasons.map((x, i) => <li key={i}>{x}</li>)}</ul> : null}
                {p.passed?.length ? <p data-testid="passed">Passed their latest run: {p.passed.join(', ')}</p> : null}
              </section>
            ))}
          </>
        )}
      </Loaded>
    </div>
  );
}
