// Which products an EPOS can serve now: what it registered (either transport) against what the
// tester last proved (each flow's latest finished run of this tenant). The products, the flows each
// depends on and how are the tester's flow catalogue (tester/products.ts, `products` on each flow);
// the verdict is the tester's own rule (readiness()), so `eposgate test` and this agree.
import type { FinishedRun } from '../store/store.ts';
import { FLOWS, flowApplies, missingCapabilities } from '../tester/flows/index.ts';
import { readiness, type FlowOutcome, type ProductRole, type Readiness } from '../tester/products.ts';

/** What readiness reads of a flow (FlowDef has it). */
export interface ReadinessFlow {
  name: string;
  requires: readonly string[];
  requiresOneOf?: readonly (readonly string[])[];
  products?: Partial<Record<string, ProductRole>>;
}

export interface CapabilityReadiness {
  name: string;
  need: 'required' | 'optional';
  registered: boolean;
  /** The latest finished run of a flow testing it passed (true) or not (false); null: none ran. */
  proven: boolean | null;
  provenAt?: string;
}

export interface ProductReadinessView {
  product: string;
  status: Readiness;
  rule: string;
  capabilities: CapabilityReadiness[];
  reasons: string[];
  /** Flows whose latest run passed and count for the product. */
  passed: string[];
}

/**
 * Per product: required capabilities are those of the flows it requires; optional ones those of
 * the flows it uses when registered (locking for Pay at Table). A flow that applies (its
 * capabilities registered) counts with its latest finished run; one never run counts only when the
 * product requires it (then the product is "not tested").
 */
export function productReadiness(
  registered: ReadonlySet<string>, runs: readonly FinishedRun[], flows: readonly ReadinessFlow[] = FLOWS,
): ProductReadinessView[] {
  const latest = new Map(runs.map((r) => [r.flow, r]));
  const products = [...new Set(flows.flatMap((f) => Object.keys(f.products ?? {})))];
  const out: ProductReadinessView[] = [];
  for (const product of products) {
    const mine = flows.filter((f) => f.products?.[product]);
    const outcomes = new Map<string, FlowOutcome>();
    for (const f of mine) {
      const o = outcomeOf(f, f.products![product]!, registered, latest.get(f.name));
      if (o) outcomes.set(f.name, o);
    }
    const verdict = readiness(mine, outcomes).find((r) => r.product === product);
    if (!verdict) continue;
    const required = unique(mine.filter((f) => f.products![product] === 'required').flatMap((f) => f.requires));
    const optional = unique(mine.filter((f) => f.products![product] !== 'required').flatMap((f) => f.requires)).filter((c) => !required.includes(c));
    const capabilities = [
      ...required.map((name) => capability(name, 'required', registered, mine, latest)),
      ...optional.map((name) => capability(name, 'optional', registered, mine, latest)),
    ];
    out.push({ product, status: verdict.status, rule: ruleOf(product, mine, required, optional), capabilities, reasons: verdict.reasons, passed: verdict.passed });
  }
  return out;
}

function outcomeOf(f: ReadinessFlow, role: ProductRole, registered: ReadonlySet<string>, run: FinishedRun | undefined): FlowOutcome | undefined {
  if (!flowApplies(f, registered)) return { kind: 'not applicable', needs: missingCapabilities(f, registered) };
  if (run) return run.status === 'SUCCESS' ? { kind: 'passed' } : { kind: 'failed', status: run.status };
  return role === 'required' ? { kind: 'not run', reason: 'never run' } : undefined;
}

/** Proven by the most recent finished run among the applying flows that require the capability. */
function capability(
  name: string, need: CapabilityReadiness['need'], registered: ReadonlySet<string>, flows: readonly ReadinessFlow[],
  latest: ReadonlyMap<string, FinishedRun>,
): CapabilityReadiness {
  const runs = flows.filter((f) => f.requires.includes(name) && flowApplies(f, registered))
    .map((f) => latest.get(f.name)).filter((r): r is FinishedRun => r !== undefined)
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const last = runs[0];
  return {
    name, need, registered: registered.has(name),
    proven: last ? last.status === 'SUCCESS' : null,
    ...(last?.status === 'SUCCESS' ? { provenAt: last.finishedAt } : {}),
  };
}

/** The product's rule in words, read off the catalogue. */
function ruleOf(product: string, flows: readonly ReadinessFlow[], required: readonly string[], optional: readonly string[]): string {
  const requiredFlows = flows.filter((f) => f.products![product] === 'required').map((f) => f.name);
  const usedFlows = flows.filter((f) => f.products![product] !== 'required').map((f) => f.name);
  let rule = `ready when ${list(required)} ${required.length === 1 ? 'is' : 'are'} registered (WebSocket or REST), the latest finished run of `
    + `${list(requiredFlows)} passed`;
  if (usedFlows.length) rule += `, and no flow it uses whose capabilities are registered (${list(usedFlows)}) failed its latest run`;
  if (optional.length) rule += `; optional: ${list(optional)}`;
  return rule;
}

function list(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
