// The console's shell: sign-in, the left nav and the page for the current hash route.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, whenSignedOut } from './api/http.ts';
import * as admin from './api/admin.ts';
import { href, navigate, useRoute } from './router.ts';
import { clearSession, keyHint, loadSession, saveSession, type Session } from './session.ts';
import { CallLog } from './pages/CallLog.tsx';
import { Connections } from './pages/Connections.tsx';
import { Deliveries } from './pages/Deliveries.tsx';
import { Registrations } from './pages/Registrations.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Tester } from './pages/Tester.tsx';

const PAGES = [
  { id: 'connections', title: 'Connections & readiness' },
  { id: 'registrations', title: 'Registrations' },
  { id: 'calls', title: 'Call log' },
  { id: 'deliveries', title: 'Event deliveries' },
  { id: 'tester', title: 'Tester' },
] as const;

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [message, setMessage] = useState<ApiError | null>(null);
  const route = useRoute();
  useEffect(() => whenSignedOut((err) => {
    clearSession();
    setMessage(err);
    setSession(null);
  }), []);
  const signedIn = (s: Session) => {
    setMessage(null);
    setSession(s);
    if (!route[0]) navigate('connections');
  };
  // An operator without a tenant picks one (after sign-in, or "Change tenant").
  if (!session || (session.kind === 'operator' && !session.tenant)) {
    return <SignIn message={message} onSignedIn={signedIn} {...(session?.kind === 'operator' ? { operatorToken: session.token } : {})} />;
  }
  const signOut = () => {
    clearSession();
    setMessage(null);
    setSession(null);
    navigate('');
  };
  const [page = 'connections', ...rest] = route;
  return (
    <div class="layout">
      <nav class="side">
        <div class="brand">eposgate</div>
        {PAGES.map((p) => <a key={p.id} href={href(p.id)} class={page === p.id ? 'active' : ''}>{p.title}</a>)}
        <div class="who">
          <Who session={session} />
          {session.kind === 'operator' ? (
            <button onClick={() => { const s: Session = { kind: 'operator', token: session.token }; saveSession(s); setSession(s); }}>Change tenant</button>
          ) : null}
          <button onClick={signOut} data-testid="sign-out">Sign out</button>
        </div>
      </nav>
      <main>
        {page === 'connections' ? <Connections />
          : page === 'registrations' ? <Registrations />
          : page === 'calls' ? <CallLog route={rest} />
          : page === 'deliveries' ? <Deliveries route={rest} />
          : page === 'tester' ? <Tester route={rest} />
          : <p>No page “{page}”. <a href={href('connections')}>Go to the start.</a></p>}
      </main>
    </div>
  );
}

/** Who is signed in: the platform's own answer when it has GET /epos/whoami, else what was typed. */
function Who({ session }: { session: Session }) {
  const [who, setWho] = useState<admin.WhoAmI | null>(null);
  useEffect(() => {
    admin.whoami().then(setWho, () => setWho(null));
  }, [session]);
  if (session.kind === 'operator') {
    return <div data-testid="who">operator · tenant <span class="mono">{session.tenant ?? '(none)'}</span></div>;
  }
  return (
    <div data-testid="who">
      {who?.role === 'vendor' ? <div>{who.accountId} ({who.env})</div> : null}
      <div class="mono">{keyHint(session.apiKey)}</div>
      <div class="mono">{session.softwareHouseId}</div>
    </div>
  );
}

// The boot text goes first: render() keeps what is already in the container.
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
