// Events an EPOS submits (POST /epos/events): each names one changed entity of the EPOS by id.
// The event type decides which id field the event must carry.
import { Type } from '@sinclair/typebox';
import { typeName, validationFailed } from '../errors.ts';
import { explained } from '../server/validation.ts';
import type { EposEventRecord } from '../store/store.ts';

import { POS_EVENT_ID_FIELD as EPOS_EVENT_ID_FIELD, type PosEventType as EposEventType } from '@eposgate/contract';

export { EPOS_EVENT_ID_FIELD, type EposEventType };
const TYPES = Object.keys(EPOS_EVENT_ID_FIELD) as EposEventType[];

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
export const MAX_EVENT_FIELDS = 16;

/** The body of POST /epos/events. Which id `event` needs depends on the type: eventRequest() checks it. */
export const EventRequestBody = explained(Type.Object({
  eventType: Type.Union(TYPES.map((t) => Type.Literal(t))),
  event: Type.Object({}, { maxProperties: MAX_EVENT_FIELDS, description: 'The changed entity, by its id field (orderId, partyId, reservationId)' }),
}, { maxProperties: MAX_EVENT_FIELDS }), (issue, e, root) => {
  const v: unknown = e.keyword === 'required' ? undefined : e.data;
  if (e.keyword === 'maxProperties') {
    const count = Object.keys(v as object).length;
    return { path: issue.path, message: `${count} fields is more than ${MAX_EVENT_FIELDS}: an event names one entity by its id field`, expected: `at most ${MAX_EVENT_FIELDS} fields`, actual: `${count} fields` };
  }
  if (issue.path === '$') return { path: '$', message: 'body must be a JSON object {eventType, event}', expected: 'object', actual: typeName(v) };
  if (issue.path === '$.eventType') {
    return { path: issue.path, message: v === undefined ? `eventType is required: one of ${TYPES.join(', ')}` : `eventType must be one of ${TYPES.join(', ')}`, expected: TYPES.join(' | '), actual: v };
  }
  if (issue.path === '$.event') {
    const type = (root as { eventType?: unknown }).eventType;
    const field = TYPES.includes(type as EposEventType) ? EPOS_EVENT_ID_FIELD[type as EposEventType] : Object.values(EPOS_EVENT_ID_FIELD).join(' | ');
    return { path: issue.path, message: `event must be an object {${field}}`, expected: 'object', actual: typeName(v) };
  }
  return issue;
});

/** What the schema cannot say: the id field the event type names is there. Other fields are dropped. */
export function eventRequest(body: { eventType: EposEventType; event: Record<string, unknown> }): EventRequest {
  const { eventType, event: ev } = body;
  const field = EPOS_EVENT_ID_FIELD[eventType];
  const id = ev[field];
  if (typeof id !== 'string' || id === '') {
    const other = Object.values(EPOS_EVENT_ID_FIELD).find((f) => f !== field && f in ev);
    throw validationFailed([{
      path: `$.event.${field}`,
      message: id === undefined
        ? `${eventType} needs event.${field}${other ? ` (event.${other} belongs to another event type)` : ''}`
        : `event.${field} must be a non-empty string`,
      expected: 'non-empty string',
      actual: id === undefined ? undefined : id,
    }]);
  }
  return { eventType, event: { [field]: id } };
}

/** How a stored EPOS event reads to products (lists and the stream). */
export function eposEventView(r: EposEventRecord): Record<string, unknown> {
  return {
    seq: r.seq,
    eventType: r.eventType,
    event: r.event,
    receivedAt: r.receivedAt,
    softwareHouseId: r.softwareHouseId,
    ...(r.resellerId ? { resellerId: r.resellerId } : {}),
  };
}
