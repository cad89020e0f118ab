// Raising an event for the tenant's EPOS (POST /epos/data/v1/events): the body a product sends, the
// Event the platform builds from it, and how an outbox entry is shown back.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Type, type Static } from '@sinclair/typebox';
import { EVENT_PREFIX, type CapabilityName } from '@eposgate/contract';
import { EventType, PaymentIntentEvent } from '@eposgate/contract';
import { PlatformError } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { OutboxEntry, OutboxStore } from '../store/store.ts';
import type { Caller, Tenant } from '../tenant.ts';

/** An event id travels in URLs (GET …/events/{id}), so it is kept to URL-safe characters. */
export const EVENT_ID_PATTERN = '^[A-Za-z0-9._:~-]{1,128}$';

/** What a product sends. accountId and createdAt are the platform's to set, so they are refused. */
export const RaiseEventBody = Type.Object({
  event: EventType,
  data: PaymentIntentEvent,
  id: Type.Optional(Type.String({ pattern: EVENT_ID_PATTERN })),
}, { additionalProperties: false });
export type RaiseEventBody = Static<typeof RaiseEventBody>;

export function capabilityOf(eventType: string): CapabilityName {
  return `${EVENT_PREFIX}${eventType}` as CapabilityName;
}

export interface Raised {
  entry: OutboxEntry;
  /** False when the id was seen before: nothing new was accepted. */
  created: boolean;
}

/**
 * Stores the event in the outbox: `pending` when the tenant registered HandleEvent for its type,
 * else `skipped` (reason `not-registered`). A known id returns the stored event; the same id with a
 * different type or data is a conflict.
 */
export async function raise(outbox: OutboxStore, registry: Registry, caller: Caller, req: RaiseEventBody, now: Date): Promise<Raised> {
  const tenant: Tenant = { accountId: caller.accountId, env: caller.env };
  if (req.id) {
    const seen = await outbox.get(tenant, req.id);
    if (seen) return { entry: sameOrConflict(seen, req), created: false };
  }
  const on = await registry.transportsFor(tenant, capabilityOf(req.event));
  const registered = on.ws || on.rest;
  const { entry, created } = await outbox.insert({
    tenant,
    event: { id: req.id ?? randomUUID(), accountId: tenant.accountId, event: req.event, data: req.data, createdAt: now.toISOString() },
    status: registered ? 'pending' : 'skipped',
    ...(registered ? {} : { reason: 'not-registered' }),
    attempts: 0,
    nextAttemptAt: now.getTime(),
    raisedBy: {
      keyId: caller.keyId, softwareHouseId: caller.softwareHouseId,
      ...(caller.resellerId ? { resellerId: caller.resellerId } : {}),
    },
  });
  return { entry: created ? entry : sameOrConflict(entry, req), created };
}

function sameOrConflict(seen: OutboxEntry, req: RaiseEventBody): OutboxEntry {
  if (seen.event.event === req.event && isDeepStrictEqual(seen.event.data, req.data)) return seen;
  throw new PlatformError('EVENT_ID_CONFLICT',
    `event id "${seen.event.id}" was already used for a different event of this account; use a new id for a new event`,
    { extra: { id: seen.event.id } });
}

/** The product's view of an outbox entry: the Event as the EPOS gets it, plus its delivery. */
export function eventView(e: OutboxEntry): Record<string, unknown> {
  return {
    ...e.event,
    delivery: {
      status: e.status,
      ...(e.reason ? { reason: e.reason } : {}),
      attempts: e.attempts,
      ...(e.status === 'pending' ? { nextAttemptAt: new Date(e.nextAttemptAt).toISOString() } : {}),
      ...(e.lastAttemptAt ? { lastAttemptAt: e.lastAttemptAt } : {}),
      ...(e.deliveredAt ? { deliveredAt: e.deliveredAt } : {}),
      ...(e.lastError ? { lastError: e.lastError } : {}),
    },
  };
}
