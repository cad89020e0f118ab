// Registrations: what the EPOS has registered on each transport (GET /epos/integrations), and
// how that changed (GET /epos/integrations/history).
import { useState } from 'preact/hooks';
import * as api from '../api/registrations.ts';
import { PagedTable, Time } from '../ui/bits.tsx';
import { Loaded, useLoad } from '../ui/load.tsx';

export function Registrations() {
  const current = useLoad(() => api.integrations(), []);
  const [stack, setStack] = useState<string[]>([]);
  const history = useLoad(() => api.history({ cursor: stack.at(-1), limit: 50 }), [stack.join()]);
  return (
    <div>
      <h1>Registrations</h1>
      <Loaded load={current} what="Registrations">
        {(d) => (
          <>
            <Transport title="WebSocket" items={d.wsIntegrations} />
            <Transport title="REST" items={d.restIntegrations} />
          </>
        )}
      </Loaded>
      <h2>History</h2>
      <Loaded load={history} what="Registration history">
        {(h) => (
          <PagedTable testid="registration-history" head={['at', 'transport', 'added', 'dropped', 'capabilities', 'software house', 'key']}
            empty="No registration changes yet." stack={stack} next={h.nextCursor} onPage={setStack}
            rows={h.changes.map((c) => (
              <tr key={c.id} data-testid="change" data-transport={c.transport}>
                <td><Time at={c.at} /></td><td>{c.transport}{c.url ? <div class="mono muted">{c.url}</div> : null}</td>
                <td class="mono" data-col="added">{c.added.join(', ') || '–'}</td><td class="mono" data-col="dropped">{c.dropped.join(', ') || '–'}</td>
                <td class="num" title={c.capabilities.join(', ')}>{c.capabilities.length}</td>
                <td class="mono">{c.softwareHouseId}{c.resellerId ? <div class="muted">reseller {c.resellerId}</div> : null}</td><td class="mono">{c.keyHint ?? ''}</td>
              </tr>
            ))} />
        )}
      </Loaded>
    </div>
  );
}

function Transport({ title, items }: { title: string; items: api.Integration[] }) {
  return (
    <section class="panel" data-testid={`registrations-${title === 'REST' ? 'rest' : 'ws'}`}>
      <h2 style="margin-top:0">{title}</h2>
      {items.length === 0 ? <p class="muted">Nothing registered on {title}.</p> : items.map((i) => (
        <div key={i.createdAt}>
          <div class="kv">
            {i.url ? <><div>URL</div><div class="mono">{i.url}</div></> : null}
            {i.auth ? <><div>basic-auth user</div><div class="mono">{i.auth.basic.username}</div></> : null}
            <div>registered since</div><div><Time at={i.createdAt} /></div>
          </div>
          <table style="margin-top:8px">
            <thead><tr><th>capability</th><th>version</th><th>updated</th></tr></thead>
            <tbody>
              {i.capabilities.map((c) => (
                <tr key={c.name}><td class="mono">{c.name}</td><td class="mono">{c.version}</td><td><Time at={c.updatedAt} /></td></tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
