import type { EposEventRecord } from '../store/store.ts';
import { POS_EVENT_ID_FIELD as EPOS_EVENT_ID_FIELD, type PosEventType as EposEventType } from '@eposgate/contract';
export { EPOS_EVENT_ID_FIELD, type EposEventType };
/** The EventRequest as stored and echoed: the type and the one id field it names. */
export interface EventRequest {
    eventType: EposEventType;
    event: Record<string, string>;
}
/**
 * Fields an EventRequest or its `event` may carry. Only the type and one id are kept; the rest is
 * dropped, but a body of thousands of fields is refused rather than walked and ignored. (String
 * lengths, ids included, are bounded for every body by server/jsonBody.ts: limits.idChars.)
 */
export declare const MAX_EVENT_FIELDS = 16;
/** Checks an EventRequest; other fields of `event` are dropped (the model is type + id). */
export declare function parseEventRequest(body: unknown): EventRequest;
/** How a stored EPOS event reads to products (lists and the stream). */
export declare function eposEventView(r: EposEventRecord): Record<string, unknown>;
