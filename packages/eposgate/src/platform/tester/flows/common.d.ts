import type { CreateOrderParams, Order, Payment } from '@eposgate/contract';
import type { ParamsOf, ResultOf } from '@eposgate/contract';
import { Checker } from '../checks.ts';
import type { FlowRun, Step } from '../runner.ts';
export declare const CLOSED_STATUSES: readonly string[];
export declare const P: {
    orderIdOptional: {
        name: string;
        type: "string";
        required: false;
        description: string;
    };
    currency: {
        name: string;
        type: "string";
        required: false;
        default: string;
        description: string;
    };
    tableId: {
        name: string;
        type: "string";
        required: false;
        description: string;
    };
    tipAmount: {
        name: string;
        type: "integer";
        required: false;
        default: number;
        description: string;
    };
    maxPages: {
        name: string;
        type: "integer";
        required: false;
        default: number;
        description: string;
    };
};
export declare const isoIn: (ms: number) => string;
export declare const testerId: (run: FlowRun, what: string) => string;
/** An order the tester can create: two items, paid later (or at once with `paid`). */
export declare function orderToCreate(run: FlowRun, opts?: {
    tableId?: string;
    collection?: boolean;
    payments?: Payment[];
}): CreateOrderParams;
/** Checks the order an EPOS answered is the one asked for. */
export declare function checkIsOrder(s: Step, capability: string, orderId: string, order: {
    id: string;
}, path?: string): void;
/** CreateOrder, checking the answer is the order sent: items, total, payments. */
export declare function createOrder(run: FlowRun, name: string, params: CreateOrderParams): Promise<Order>;
/** GetOrderById, checking it answers the order asked for. */
export declare function getOrder(s: Step, orderId: string): Promise<Order>;
type Paged = 'SearchOrders' | 'SearchTables' | 'SearchParties' | 'SearchReservations';
export interface Walk<T> {
    items: T[];
    pages: T[][];
    /** Cursors answered with each page. */
    cursors: Array<{
        before?: string;
        after?: string;
    }>;
    complete: boolean;
}
/**
 * Pages through a search following `after`, checking no page is bigger than the limit and no id
 * comes back twice. Stops at `maxPages` (complete = false) or when `until` finds what it looks for.
 */
export declare function walk<N extends Paged>(s: Step, capability: N, base: ParamsOf<N>, limit: number, maxPages: number, until?: (item: ResultOf<N>['data'][number]) => boolean): Promise<Walk<ResultOf<N>['data'][number]>>;
/** Problems with an order listed by SearchOrders with payableOnly: true. */
export declare function checkPayable(c: Checker, o: Order, path: string): void;
/** The order a flow works on: the orderId param, else a new one (CreateOrder), else the first payable one. */
export declare function orderToWorkOn(run: FlowRun, opts?: {
    tableId?: string;
}): Promise<{
    orderId: string;
    created: boolean;
}>;
/** A table to seat a party at or put an order on. */
export declare function findTable(run: FlowRun, opts: {
    free: boolean;
}): Promise<string | undefined>;
export interface PaymentSent {
    paymentIntentId: string;
    paid: number;
    tips: number;
    lockId?: string;
}
/** RecordOrderPaymentById params of a payment. */
export declare function paymentParams(orderId: string, p: PaymentSent, currency: string): Record<string, unknown>;
/** The order after a payment must have moved by exactly that payment. */
export declare function checkPaymentApplied(before: Order, after: Order, p: PaymentSent): void;
/** The money fields of an order, to see that a replay changed nothing. */
export declare function checkUnchanged(before: Order, after: Order, what: string): void;
/** What is left to pay on an order. */
export declare function outstanding(o: Order): number;
export {};
