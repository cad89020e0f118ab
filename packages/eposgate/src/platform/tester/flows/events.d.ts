import type { Event } from '@eposgate/contract';
import type { FlowRun } from '../runner.ts';
import type { FlowDef } from '../types.ts';
/** A payment intent event as Dojo sends it. */
export declare function paymentEvent(run: FlowRun, type: 'payment_intent.created' | 'payment_intent.status_updated', paymentIntentId: string, paymentStatus: Event['data']['paymentStatus'], captureMode: Event['data']['captureMode']): Event;
/** Delivers one event through the capability of its type; the answer must be empty. */
export declare function sendEvent(run: FlowRun, event: Event, name: string): Promise<void>;
export declare const paymentEventsFlow: FlowDef;
