import type { FlowDescription } from './types.ts';
export declare const PRODUCTS: readonly ["Pay at Table", "Order and Pay", "Bookings"];
export type Product = (typeof PRODUCTS)[number];
/**
 * How a product depends on a flow: `required` — the product cannot work unless this flow passes;
 * `if registered` — the product uses what the flow tests when the EPOS offers it, so when the flow
 * applies it must pass too.
 */
export type ProductRole = 'required' | 'if registered';
/** What became of one flow in a run, as far as readiness cares. */
export type FlowOutcome = {
    kind: 'passed';
} | {
    kind: 'failed';
    status: string;
} | {
    kind: 'not applicable';
    needs: string[];
} | {
    kind: 'skipped';
    reason: string;
} | {
    kind: 'not run';
    reason: string;
};
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
export declare function readiness(flows: readonly Pick<FlowDescription, 'name' | 'products'>[], outcomes: ReadonlyMap<string, FlowOutcome>): ProductReadiness[];
