// Events an EPOS submits (POST /epos/events): each names one changed entity of the EPOS by id.
// The event type decides which id field the event must carry.
import { PlatformError, type FieldIssue } from '../errors.ts';
import { typeName } from '../registry/body.ts';
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

function invalid(issue: FieldIssue): never {
  throw new PlatformError('VALIDATION_FAILED', `${issue.path}: ${issue.message}`, { details: [issue] });
}

/** Checks an EventRequest; other fields of `event` are dropped (the model is type + id). */
export function parseEventRequest(body: unknown): EventRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    invalid({ path: '$', message: 'body must be a JSON object {eventType, event}', expected: 'object', actual: typeName(body) });
  }
  const b = body as Record<string, unknown>;
  tooManyFields(b, '$');
  if (typeof b.eventType !== 'string' || !(TYPES as string[]).includes(b.eventType)) {
    invalid({
      path: '$.eventType',
      message: b.eventType === undefined ? `eventType is required: one of ${TYPES.join(', ')}` : `eventType must be one of ${TYPES.join(', ')}`,
      expected: TYPES.join(' | '),
      actual: b.eventType,
    });
  }
  const eventType = b.eventType as EposEventType;
  const field = EPOS_EVENT_ID_FIELD[eventType];
  if (typeof b.event !== 'object' || b.event === null || Array.isArray(b.event)) {
    invalid({ path: '$.event', message: `event must be an object {${field}}`, expected: 'object', actual: typeName(b.event) });
  }
  const ev = b.event as Record<string, unknown>;
  tooManyFields(ev, '$.event');
  const id = ev[field];
  if (typeof id !== 'string' || id === '') {
    const other = Object.values(EPOS_EVENT_ID_FIELD).find((f) => f !== field && f in ev);
    invalid({
      path: `$.event.${field}`,
      message: id === undefined
        ? `${eventType} needs event.${field}${other ? ` (event.${other} belongs to another event type)` : ''}`
        : `event.${field} must be a non-empty string`,
      expected: 'non-empty string',
      actual: id === undefined ? undefined : id,
    });
  }
  return { eventType, event: { [field]: id } };
}

function tooManyFields(o: Record<string, unknown>, path: string): void {
  let n = 0;
  for (const _ in o) {
    if (++n > MAX_EVENT_FIELDS) {
      const count = Object.keys(o).length;
      invalid({ path, message: `${count} fields is more than ${MAX_EVENT_FIELDS}: an event names one entity by its id field`, expected: `at most ${MAX_EVENT_FIELDS} fields`, actual: `${count} fields` });
    }
  }
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
