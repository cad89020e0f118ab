// Which Dojo products an EPOS is ready for, read from the flow catalogue: each flow says which
// products depend on it (`products` on the flow), so this module holds the rule, not a second list
// of capabilities.
export const PRODUCTS = ['Pay at Table', 'Order and Pay', 'Bookings'] as const;
export type Product = (typeof PRODUCTS)[number];

/**
 * How a product depends on a flow: `required` — the product cannot work unless this flow passes;
 * `if registered` — the product uses what the flow tests when the EPOS offers it, so when the flow
 * applies it must pass too.
 */
export type ProductRole = 'required' | 'if registered';

/** What readiness reads of a flow: its name and the products that depend on it. */
export interface FlowProducts {
  name: string;
  products?: Partial<Record<string, ProductRole>>;
}

/** What became of one flow in a run, as far as readiness cares. */
export type FlowOutcome =
  | { kind: 'passed' }
  | { kind: 'failed'; status: string }
  | { kind: 'not applicable'; needs: string[] }
  | { kind: 'skipped'; reason: string }
  | { kind: 'not run'; reason: string };

export type Readiness = 'ready' | 'not ready' | 'not applicable' | 'not tested';

export interface ProductReadiness {
  product: string;
  status: Readiness;
  /** Why, one line per flow that decided it ("Pay at Table FAILURE", "Bookings needs CreateParty"). */
  reasons: string[];
  /** Flows that passed and count for the product. */
  passed: string[];
}

/**
 * A product is ready when every flow it requires passed and every other flow it uses that ran
 * passed. Otherwise, first match wins: not applicable (a required flow needs capabilities the
 * EPOS does not offer), not ready (a flow it depends on failed or timed out), not tested (a flow
 * it depends on was skipped, not run, or not chosen).
 */
export function readiness(flows: readonly FlowProducts[], outcomes: ReadonlyMap<string, FlowOutcome>): ProductReadiness[] {
  const names = new Set<string>(PRODUCTS);
  for (const f of flows) for (const p of Object.keys(f.products ?? {})) names.add(p);
  const out: ProductReadiness[] = [];
  for (const product of names) {
    const failed: string[] = [];
    const missing: string[] = [];
    const untested: string[] = [];
    const passed: string[] = [];
    let any = false;
    for (const f of flows) {
      const role = f.products?.[product];
      if (!role) continue;
      any = true;
      const o = outcomes.get(f.name);
      if (!o) {
        if (role === 'required') untested.push(`${f.name} was not chosen`);
      } else if (o.kind === 'passed') passed.push(f.name);
      else if (o.kind === 'failed') failed.push(`${f.name} ${o.status}`);
      else if (o.kind === 'not applicable') {
        if (role === 'required') missing.push(`${f.name} needs ${o.needs.join(', ')}`);
      } else if (o.kind === 'skipped') {
        if (role === 'required') untested.push(`${f.name} was skipped (${o.reason})`);
      } else untested.push(`${f.name} was not run`);
    }
    if (!any) continue;
    const [status, reasons]: [Readiness, string[]] = missing.length ? ['not applicable', [...missing, ...failed, ...untested]]
      : failed.length ? ['not ready', [...failed, ...untested]]
      : untested.length ? ['not tested', untested]
      : ['ready', []];
    out.push({ product, status, reasons, passed });
  }
  return out;
}
