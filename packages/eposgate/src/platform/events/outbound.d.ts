import { type Static } from '@sinclair/typebox';
import { type CapabilityName } from '@eposgate/contract';
import type { Registry } from '../registry/registry.ts';
import type { OutboxEntry, OutboxStore } from '../store/store.ts';
import type { Caller } from '../tenant.ts';
/** An event id travels in URLs (GET …/events/{id}), so it is kept to URL-safe characters. */
export declare const EVENT_ID_PATTERN = "^[A-Za-z0-9._:~-]{1,128}$";
/** What a product sends. accountId and createdAt are the platform's to set, so they are refused. */
export declare const RaiseEventBody: import("@sinclair/typebox").TObject<{
    event: import("@sinclair/typebox").TUnion<import("@sinclair/typebox").TLiteral<"payment_intent.created" | "payment_intent.status_updated">[]>;
    data: import("@sinclair/typebox").TObject<{
        paymentIntentId: import("@sinclair/typebox").TString;
        paymentStatus: import("@sinclair/typebox").TUnion<import("@sinclair/typebox").TLiteral<"Created" | "Authorized" | "Captured" | "Reversed" | "Refunded" | "Canceled">[]>;
        captureMode: import("@sinclair/typebox").TUnion<import("@sinclair/typebox").TLiteral<"Auto" | "Manual">[]>;
    }>;
    id: import("@sinclair/typebox").TOptional<import("@sinclair/typebox").TString>;
}>;
export type RaiseEventBody = Static<typeof RaiseEventBody>;
export declare function parseRaise(body: unknown): RaiseEventBody;
export declare function capabilityOf(eventType: string): CapabilityName;
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
export declare function raise(outbox: OutboxStore, registry: Registry, caller: Caller, body: unknown, now: Date): Promise<Raised>;
/** The product's view of an outbox entry: the Event as the EPOS gets it, plus its delivery. */
export declare function eventView(e: OutboxEntry): Record<string, unknown>;
