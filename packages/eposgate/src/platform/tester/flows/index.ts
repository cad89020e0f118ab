// The flow catalogue: every flow the tester offers, in the order GET /epos-tester-tool/flows lists
// them. One module per family; each flow names the capabilities it needs, so "which flows apply"
// is read from here (see flowApplies).
import type { FlowDef } from '../types.ts';
import { bookingsFlow, partiesFlow, reservationsFlow } from './bookings.ts';
import { paymentEventsFlow } from './events.ts';
import { orderAndPayFlow } from './orderAndPay.ts';
import { cancelOrderFlow, getOrderBillFlow, getOrderFlow, orderNotFoundFlow, searchOrdersFlow } from './orders.ts';
import { orderLockingFlow, payAtTableFlow, payAtTableLockingFlow } from './payAtTable.ts';
import { tablesAndAreasFlow } from './tables.ts';
import { ROBUSTNESS_FLOWS } from './robustness.ts';
import { PROTOCOL_FLOWS } from './protocol.ts';

export const FLOWS: readonly FlowDef[] = [
  getOrderFlow,
  orderNotFoundFlow,
  searchOrdersFlow,
  getOrderBillFlow,
  cancelOrderFlow,
  orderLockingFlow,
  payAtTableFlow,
  payAtTableLockingFlow,
  orderAndPayFlow,
  paymentEventsFlow,
  tablesAndAreasFlow,
  partiesFlow,
  reservationsFlow,
  bookingsFlow,
  ...ROBUSTNESS_FLOWS,
  ...PROTOCOL_FLOWS,
];

/** True when every capability a flow requires is registered (and one of each `requiresOneOf` group). */
export function flowApplies(flow: { requires: readonly string[]; requiresOneOf?: readonly (readonly string[])[] }, registered: ReadonlySet<string>): boolean {
  return flow.requires.every((c) => registered.has(c)) && (flow.requiresOneOf ?? []).every((g) => g.some((c) => registered.has(c)));
}

/** What keeps a flow from applying: each required capability not registered, and each `requiresOneOf` group as "A or B". */
export function missingCapabilities(flow: { requires: readonly string[]; requiresOneOf?: readonly (readonly string[])[] }, registered: ReadonlySet<string>): string[] {
  return [
    ...flow.requires.filter((c) => !registered.has(c)),
    ...(flow.requiresOneOf ?? []).filter((g) => !g.some((c) => registered.has(c))).map((g) => g.join(' or ')),
  ];
}
