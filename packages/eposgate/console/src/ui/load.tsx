// Loading state for a page or a section: spinner text, the platform's error, or "not available on
// this platform" when the API route does not exist (404 "No route"), as an older platform answers.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/http.ts';

export type Load<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'done'; data: T; error?: undefined }
  | { state: 'failed'; data?: undefined; error: ApiError };

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'CONSOLE', (err as Error)?.message ?? String(err));
}

/** Runs `fetcher` on mount and whenever `deps` change; `reload()` runs it again, keeping the old data on screen. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Load<T> & { reload: () => void } {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fetcher().then(
      (data) => live && setLoad({ state: 'done', data }),
      (err: unknown) => live && setLoad({ state: 'failed', error: asApiError(err) }),
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return Object.assign({}, load, { reload });
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <div class="notice unavailable" data-testid="not-available">
      <strong>{what}: not available on this platform.</strong> Its API answers 404 here; the platform may be an older version.
    </div>
  );
}

export function ErrorNotice({ error }: { error: ApiError }) {
  return (
    <div class="notice error" role="alert">
      <strong>{error.code}</strong>: {error.message}
      {error.traceId ? <span class="muted"> (trace id <code>{error.traceId}</code>)</span> : null}
    </div>
  );
}

/** Renders `children(data)` once loaded; otherwise what is happening instead. */
export function Loaded<T>({ load, what, children }: { load: Load<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (load.state === 'loading') return <p class="muted">Loading {what.toLowerCase()}…</p>;
  if (load.state === 'failed') return load.error.notAvailable ? <NotAvailable what={what} /> : <ErrorNotice error={load.error} />;
  return <>{children(load.data)}</>;
}
