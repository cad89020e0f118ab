// Payment events (HandleEvent): both event types, and the same event delivered twice, as
// at-least-once delivery will.
import type { Event } from '@eposgate/contract';
import { fail } from '../checks.ts';
import type { FlowRun } from '../flow.ts';
import type { FlowDef } from '../types.ts';
import { testerId } from './common.ts';

/** A payment intent event as Dojo sends it. */
export function paymentEvent(run: FlowRun, type: 'payment_intent.created' | 'payment_intent.status_updated', paymentIntentId: string, paymentStatus: Event['data']['paymentStatus'], captureMode: Event['data']['captureMode']): Event {
  return {
    id: testerId(run, 'evt'),
    accountId: run.tenant.accountId,
    event: type,
    data: { paymentIntentId, paymentStatus, captureMode },
    createdAt: new Date().toISOString(),
  };
}

/** Delivers one event through the capability of its type; the answer must be empty. */
export async function sendEvent(run: FlowRun, event: Event, name: string): Promise<void> {
  const capability = `HandleEvent:${event.event}` as 'HandleEvent:payment_intent.created' | 'HandleEvent:payment_intent.status_updated';
  await run.step(`${name} (${capability})`, async (s) => {
    const result = await s.call(capability, event as unknown as Record<string, unknown>);
    const empty = result === null || result === undefined || (typeof result === 'object' && Object.keys(result).length === 0);
    if (!empty) fail(`${capability} answered a body where an empty result was expected`, { path: '$', message: 'must be empty', expected: '{} or no body', actual: result });
  });
}

export const paymentEventsFlow: FlowDef = {
  name: 'Payment Events',
  flowName: 'Payment events through EPOS Data API',
  family: 'Events',
  description: 'Delivers payment_intent.created (Created) and payment_intent.status_updated (Authorized, then Captured), then the Captured event again with the same id: every delivery must be acknowledged with an empty result, the repeat included. Changes data: the EPOS records events about a payment intent that belongs to no order.',
  changesData: true,
  requires: ['HandleEvent:payment_intent.created', 'HandleEvent:payment_intent.status_updated'],
  products: { 'Order and Pay': 'if registered' },
  faults: ['HandleEvent:payment_intent.status_updated:contract'],
  params: [],
  async run(run) {
    const pi = testerId(run, 'pi');
    await sendEvent(run, paymentEvent(run, 'payment_intent.created', pi, 'Created', 'Auto'), 'Deliver payment_intent.created');
    await sendEvent(run, paymentEvent(run, 'payment_intent.status_updated', pi, 'Authorized', 'Auto'), 'Deliver payment_intent.status_updated (Authorized)');
    const captured = paymentEvent(run, 'payment_intent.status_updated', pi, 'Captured', 'Auto');
    await sendEvent(run, captured, 'Deliver payment_intent.status_updated (Captured)');
    await sendEvent(run, captured, `Deliver the same event ${captured.id} again: acknowledged, handled once`);
  },
};
