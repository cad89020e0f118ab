// Small pieces every page uses. Everything EPOS-supplied is rendered as text: Preact escapes it, and
// nothing in the console renders a string as markup (docs/console.md, "Security";
// test/platform/console.test.ts checks the sources).

import type { ComponentChildren } from 'preact';

const GOOD = new Set(['ok', 'SUCCESS', 'delivered', 'ready']);
const BAD = new Set(['error', 'FAILURE', 'TIMED_OUT', 'failed', 'expired', 'not ready']);
const RUNNING = new Set(['IN_PROGRESS', 'pending']);

export function Badge({ value }: { value: string }) {
  const cls = GOOD.has(value) ? 'ok' : BAD.has(value) ? 'bad' : RUNNING.has(value) ? 'run' : value === 'skipped' ? 'warn' : '';
  return <span class={`badge ${cls}`} data-status={value}>{value}</span>;
}

/** Pretty-printed JSON, as text. */
export function Json({ value }: { value: unknown }) {
  return <pre>{value === undefined ? '(none)' : JSON.stringify(value, null, 2)}</pre>;
}

/** An ISO time in the browser's locale, the ISO string on hover. */
export function Time({ at }: { at?: string | null }) {
  if (!at) return <span class="muted">–</span>;
  const d = new Date(at);
  return <span title={at}>{Number.isNaN(d.getTime()) ? at : d.toLocaleString()}</span>;
}

export function ms(n: number | undefined | null): string {
  return n === undefined || n === null ? '–' : `${Math.round(n)} ms`;
}

/**
 * One page of a list: its rows in a table that scrolls sideways in a box of its own (a narrow window
 * scrolls the table, not the page), a line saying so when there are none, and the pager under it.
 */
export function PagedTable({ testid, head, rows, empty, stack, next, onPage }: {
  testid: string; head: string[]; rows: ComponentChildren[]; empty: string; stack: string[]; next?: string; onPage: (stack: string[]) => void;
}) {
  return (
    <>
      <div class="scroll">
        <table data-testid={testid}>
          <thead><tr>{head.map((h) => <th key={h}>{h}</th>)}</tr></thead>
          <tbody>
            {rows}
            {rows.length === 0 ? <tr><td colSpan={head.length} class="muted">{empty}</td></tr> : null}
          </tbody>
        </table>
      </div>
      <Pager stack={stack} next={next} onPage={onPage} />
    </>
  );
}

/**
 * Paging over an opaque cursor: the cursors of the pages seen so far, so "Previous" goes back
 * without the API having to page backwards.
 */
function Pager({ stack, next, onPage }: { stack: string[]; next?: string; onPage: (stack: string[]) => void }) {
  return (
    <div class="pager">
      <button disabled={stack.length === 0} onClick={() => onPage(stack.slice(0, -1))}>Previous</button>
      <span class="muted">page {stack.length + 1}</span>
      <button disabled={!next} onClick={() => next && onPage([...stack, next])}>Next</button>
    </div>
  );
}

/** A datetime-local value (the browser's zone) as an ISO string, or undefined when empty. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
