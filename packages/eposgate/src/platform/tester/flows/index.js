import { bookingsFlow, partiesFlow, reservationsFlow } from "./bookings.js";
import { paymentEventsFlow } from "./events.js";
import { orderAndPayFlow } from "./orderAndPay.js";
import { cancelOrderFlow, getOrderBillFlow, getOrderFlow, orderNotFoundFlow, searchOrdersFlow } from "./orders.js";
import { orderLockingFlow, payAtTableFlow, payAtTableLockingFlow } from "./payAtTable.js";
import { tablesAndAreasFlow } from "./tables.js";
import { ROBUSTNESS_FLOWS } from "./robustness.js";
import { PROTOCOL_FLOWS } from "./protocol.js";
export const FLOWS = [
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
export function flowApplies(flow, registered) {
    return flow.requires.every((c) => registered.has(c)) && (flow.requiresOneOf ?? []).every((g) => g.some((c) => registered.has(c)));
}
/** What keeps a flow from applying: each required capability not registered, and each `requiresOneOf` group as "A or B". */
export function missingCapabilities(flow, registered) {
    return [
        ...flow.requires.filter((c) => !registered.has(c)),
        ...(flow.requiresOneOf ?? []).filter((g) => !g.some((c) => registered.has(c))).map((g) => g.join(' or ')),
    ];
}
