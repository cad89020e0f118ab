// Sign-in: a vendor API key (+ software-house-id), or the operator's admin token and a tenant.
// The credentials are checked with one API call before they are kept (sessionStorage only).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/http.ts';
import * as admin from '../api/admin.ts';
import * as registrations from '../api/registrations.ts';
import { authHeaders, saveSession, type Session } from '../session.ts';
import { Time } from '../ui/bits.tsx';
import { ErrorNotice } from '../ui/load.tsx';

export const DEFAULT_SOFTWARE_HOUSE = 'eposgate-console';

/** `operatorToken`: an operator changing tenant, whose token is already accepted. */
export function SignIn({ message, onSignedIn, operatorToken }: { message?: ApiError | null; onSignedIn: (s: Session) => void; operatorToken?: string }) {
  const [mode, setMode] = useState<'vendor' | 'operator'>(operatorToken ? 'operator' : 'vendor');
  return (
    <div class="signin">
      <h1>eposgate console</h1>
      <p class="muted">Sign in to see your EPOS integration: registrations, calls, events and the tester.</p>
      {message ? <ErrorNotice error={message} /> : null}
      <div class="tabs" role="tablist">
        <button class={mode === 'vendor' ? 'active' : ''} onClick={() => setMode('vendor')} role="tab">API key</button>
        <button class={mode === 'operator' ? 'active' : ''} onClick={() => setMode('operator')} role="tab">Operator</button>
      </div>
      {mode === 'vendor' ? <VendorForm onSignedIn={onSignedIn} /> : <OperatorForm onSignedIn={onSignedIn} initialToken={operatorToken} />}
    </div>
  );
}

function VendorForm({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [softwareHouseId, setSoftwareHouseId] = useState(DEFAULT_SOFTWARE_HOUSE);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const s: Session = { kind: 'vendor', apiKey: apiKey.trim(), softwareHouseId: softwareHouseId.trim() || DEFAULT_SOFTWARE_HOUSE };
    setBusy(true);
    setError(null);
    try {
      await registrations.integrations(authHeaders(s), true);
      saveSession(s);
      onSignedIn(s);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      {error ? <ErrorNotice error={error} /> : null}
      <label>API key
        <input name="apiKey" type="password" autocomplete="off" placeholder="sk_sandbox_…" value={apiKey} required
          onInput={(e) => setApiKey((e.target as HTMLInputElement).value)} />
      </label>
      <label>software-house-id
        <input name="softwareHouseId" value={softwareHouseId} onInput={(e) => setSoftwareHouseId((e.target as HTMLInputElement).value)} />
      </label>
      <button class="primary" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

function OperatorForm({ onSignedIn, initialToken }: { onSignedIn: (s: Session) => void; initialToken?: string }) {
  const [token, setToken] = useState(initialToken ?? '');
  const [checked, setChecked] = useState(false);
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<admin.TenantRow[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | null>(null);
  const headers = authHeaders({ kind: 'operator', token: token.trim() });

  // `more`: the next page of the same search, appended (the list pages with an opaque cursor).
  const search = async (query: string, more?: string) => {
    try {
      const page = await admin.tenants(query, { limit: 50, ...(more ? { cursor: more } : {}) }, headers);
      setRows(more ? (r) => [...r, ...page.tenants] : page.tenants);
      setNext(page.nextCursor);
      setChecked(true);
      setError(null);
    } catch (err) {
      const e = err as ApiError;
      setError(e.notAvailable ? new ApiError(404, 'NOT_AVAILABLE', 'Operator sign-in is not available on this platform (GET /admin/tenants answers 404).') : e);
      setChecked(false);
    }
  };
  useEffect(() => {
    if (initialToken) void search('');
  }, []);
  // The picker searches as the operator types, once the token has been accepted.
  useEffect(() => {
    if (!checked) return;
    const t = setTimeout(() => void search(q), 200);
    return () => clearTimeout(t);
  }, [q]);

  const pick = (t: admin.TenantRow) => {
    const s: Session = { kind: 'operator', token: token.trim(), tenant: `${t.accountId}:${t.env}` };
    saveSession(s);
    onSignedIn(s);
  };
  return (
    <form onSubmit={(e) => { e.preventDefault(); void search(q); }}>
      {error ? <ErrorNotice error={error} /> : null}
      <label>Admin token
        <input name="adminToken" type="password" autocomplete="off" value={token} required
          onInput={(e) => { setToken((e.target as HTMLInputElement).value); setChecked(false); }} />
      </label>
      {!checked ? <button class="primary" type="submit">Continue</button> : (
        <>
          <label>Tenant
            <input name="tenantSearch" placeholder="search account ids" maxLength={128} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </label>
          <div class="picker">
            <table>
              <thead><tr><th>account</th><th>env</th><th>keys</th><th>registered</th><th>sockets</th><th>last call</th><th></th></tr></thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={`${t.accountId}:${t.env}`} data-testid="tenant" data-tenant={`${t.accountId}:${t.env}`}>
                    <td class="id">{t.accountId}</td><td>{t.env}</td><td class="num">{t.keys}</td><td>{registeredText(t.registered)}</td><td class="num">{t.sockets}</td>
                    <td class="when" data-testid="lastCall"><Time at={t.lastCallAt} /></td>
                    <td><button type="button" onClick={() => pick(t)}>Open</button></td>
                  </tr>
                ))}
                {rows.length === 0 ? <tr><td colSpan={7} class="muted">No tenant matches.</td></tr> : null}
              </tbody>
            </table>
            {next ? <button type="button" onClick={() => void search(q, next)}>More…</button> : null}
          </div>
        </>
      )}
    </form>
  );
}

/** "ws 7 · rest 3": how many capabilities each transport registered ("–" for none). */
function registeredText(r: admin.TenantRow['registered']): string {
  const part = (name: string, caps: string[] | null) => (caps ? `${name} ${caps.length}` : null);
  return [part('ws', r.ws), part('rest', r.rest)].filter(Boolean).join(' · ') || '–';
}
