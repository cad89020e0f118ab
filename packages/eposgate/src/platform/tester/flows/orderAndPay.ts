// Order and Pay: Dojo pre-authorises a payment, creates the order with that payment on it
// (CreateOrder), captures, and tells the EPOS through HandleEvent.
import { Checker } from '../checks.ts';
import type { FlowDef } from '../types.ts';
import { P, createOrder, getOrder, orderToCreate, testerId } from './common.ts';
import { paymentEvent, sendEvent } from './events.ts';

export const orderAndPayFlow: FlowDef = {
  name: 'Order and Pay',
  flowName: 'Order and Pay through EPOS Data API',
  family: 'Order and Pay',
  description: 'The Order and Pay journey: a collection order created with its pre-authorised payment on it (CreateOrder), read back (GetOrderById), the payment intent events delivered (HandleEvent payment_intent.created when registered, then payment_intent.status_updated Captured), and the order read again with its payment intact. Changes data: creates one paid order.',
  changesData: true,
  requires: ['CreateOrder', 'GetOrderById', 'HandleEvent:payment_intent.status_updated'],
  products: { 'Order and Pay': 'required' },
  uses: ['HandleEvent:payment_intent.created'],
  faults: ['CreateOrder:contract'],
  params: [P.currency],
  async run(run) {
    const pi = testerId(run, 'pi');
    const params = orderToCreate(run, { collection: true });
    params.payments = [{ paymentIntentId: pi, paidAmount: params.totalAmount }];
    const order = await createOrder(run, 'Create the order with its pre-authorised payment (CreateOrder)', params);
    const check = async (name: string) => run.step(name, async (s) => {
      const read = await getOrder(s, order.id);
      const c = new Checker().equal('$.totalAmount', params.totalAmount, read.totalAmount, 'is not the total the order was created with');
      const i = (read.payments ?? []).findIndex((p) => p.paymentIntentId === pi);
      c.that(i >= 0, '$.payments', `must list payment ${pi}`, pi, read.payments?.map((p) => p.paymentIntentId));
      if (read.paidAmount) c.equal('$.paidAmount.value', params.totalAmount.value, read.paidAmount.value, 'the order was paid in full');
      c.assert(`order ${order.id} does not carry its payment`);
    });
    await check(`Read order ${order.id} back (GetOrderById)`);
    if (await run.has('HandleEvent:payment_intent.created')) {
      await sendEvent(run, paymentEvent(run, 'payment_intent.created', pi, 'Authorized', 'Manual'), 'Deliver payment_intent.created (Authorized)');
    }
    await sendEvent(run, paymentEvent(run, 'payment_intent.status_updated', pi, 'Captured', 'Manual'), 'Deliver payment_intent.status_updated (Captured)');
    await check('The order still carries its captured payment (GetOrderById)');
  },
};
