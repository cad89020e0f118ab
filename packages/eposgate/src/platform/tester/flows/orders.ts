// Orders: read one, an unknown one, search with paging and payableOnly, cancel, the bill.
import type { Order } from '@eposgate/contract';
import { Checker, fail } from '../checks.ts';
import type { FlowDef } from '../types.ts';
import { P, checkIsOrder, checkPayable, createOrder, getOrder, orderToCreate, orderToWorkOn, testerId, walk, workOnOrder } from './common.ts';

export const getOrderFlow: FlowDef = {
  name: 'Get Order',
  flowName: 'Get Order through EPOS Data API',
  family: 'Orders',
  description: 'Reads one order with GetOrderById and checks the EPOS answers that very order, in the contract\'s shape. Changes nothing.',
  changesData: false,
  requires: ['GetOrderById'],
  products: { 'Pay at Table': 'if registered', 'Order and Pay': 'if registered' },
  faults: ['GetOrderById:contract', 'GetOrderById:timeout'],
  params: [{ name: 'orderId', type: 'string', required: true, description: 'EPOS id of the order to read' }],
  async run(run) {
    const orderId = run.str('orderId')!;
    await run.step(`Get order ${orderId} (GetOrderById)`, async (s) => {
      const order = await getOrder(s, orderId);
      s.info(`order ${order.id}: status ${order.status}${order.totalAmount ? `, total ${order.totalAmount.value} ${order.totalAmount.currencyCode}` : ''}`);
    });
  },
};

export const orderNotFoundFlow: FlowDef = {
  name: 'Order Not Found',
  flowName: 'Order not found through EPOS Data API',
  family: 'Orders',
  description: 'Asks GetOrderById for an order that does not exist and checks the EPOS answers NotFound in the EPOSError shape. Changes nothing.',
  changesData: false,
  requires: ['GetOrderById'],
  products: { 'Pay at Table': 'if registered', 'Order and Pay': 'if registered' },
  faults: ['GetOrderById:error=InvalidRequest'],
  params: [{ name: 'missingOrderId', type: 'string', required: false, default: 'eposgate-tester-no-such-order', description: 'an order id the EPOS does not have' }],
  async run(run) {
    const orderId = run.str('missingOrderId')!;
    await run.step(`Get unknown order ${orderId}: expect NotFound (GetOrderById)`, async (s) => {
      const e = await s.expectError('GetOrderById', { orderId }, ['NotFound']);
      s.info(`answered NotFound${e.debugMessage ? `: ${e.debugMessage}` : ''}`);
    });
  },
};

export const searchOrdersFlow: FlowDef = {
  name: 'Search Orders',
  flowName: 'Search Orders through EPOS Data API',
  family: 'Orders',
  description: 'Walks SearchOrders page by page (no order twice, no page above the limit, before leads back), then with payableOnly (only payable orders), then by table. Changes nothing.',
  changesData: false,
  requires: ['SearchOrders'],
  products: { 'Pay at Table': 'if registered' },
  faults: ['SearchOrders:contract'],
  params: [
    { name: 'pageSize', type: 'integer', required: false, default: 5, description: 'cursor.limit of every page (1-100)' },
    { ...P.maxPages, default: 50 },
  ],
  async run(run) {
    const limit = Math.min(run.int('pageSize'), 100);
    const maxPages = run.int('maxPages');
    const all = await run.step(`Walk all orders, ${limit} a page (SearchOrders)`, async (s) => {
      const w = await walk(s, 'SearchOrders', {}, limit, maxPages);
      s.info(`${w.items.length} orders on ${w.pages.length} pages${w.complete ? '' : ' (not the end)'}`);
      return w;
    });
    if (all.pages.length >= 2) {
      await run.step('Walk back from page 2 with its before cursor (SearchOrders)', async (s) => {
        const before = all.cursors[1].before;
        if (!before) fail('page 2 carries no before cursor', { path: '$.before', message: 'must lead back to page 1', expected: 'a cursor', actual: undefined });
        const page = await s.call('SearchOrders', { cursor: { limit, before } });
        new Checker()
          .equal('$.data[*].id', all.pages[0].map((o) => o.id), page.data.map((o) => o.id), 'is not page 1')
          .assert('the before cursor of page 2 does not lead back to page 1');
      });
    }
    const payable = await run.step('Walk payable orders only (SearchOrders payableOnly)', async (s) => {
      const w = await walk(s, 'SearchOrders', { payableOnly: true }, limit, maxPages);
      const c = new Checker();
      w.pages.forEach((page, n) => page.forEach((o, i) => checkPayable(c, o, `$.data[${i}] (page ${n + 1})`)));
      c.assert('payableOnly listed orders that cannot be paid');
      s.info(`${w.items.length} payable orders`);
      return w;
    });
    if (all.complete && payable.complete) {
      await run.step('Payable orders are among all orders', async () => {
        const ids = new Set(all.items.map((o) => o.id));
        const stray = payable.items.filter((o) => !ids.has(o.id)).map((o) => o.id);
        if (stray.length) fail('payableOnly listed orders the unfiltered search did not', { path: '$.data[*].id', message: 'not in the unfiltered search', expected: 'a subset', actual: stray });
      });
    }
    const tableId = all.items.map((o) => o.details.dineIn?.tableId).find((t): t is string => !!t);
    if (tableId) {
      await run.step(`Search orders of table ${tableId} (SearchOrders dineIn.tableId)`, async (s) => {
        const w = await walk(s, 'SearchOrders', { dineIn: { tableId } }, limit, maxPages);
        const c = new Checker();
        w.pages.forEach((page, n) => page.forEach((o, i) => c.equal(`$.data[${i}].details.dineIn.tableId (page ${n + 1})`, tableId, o.details.dineIn?.tableId, `order ${o.id} is not on the table searched`)));
        c.that(w.items.length > 0, '$.data', `table ${tableId} has orders in the unfiltered search`, 'at least one order', 0);
        c.assert('dineIn.tableId did not filter the orders');
      });
    }
  },
};

export const cancelOrderFlow: FlowDef = {
  name: 'Cancel Order',
  flowName: 'Cancel Order through EPOS Data API',
  family: 'Orders',
  description: 'Creates an order (CreateOrder), cancels it (CancelOrderById) and reads it back Canceled; cancelling an unknown order must answer NotFound. Changes data: creates and cancels one order.',
  changesData: true,
  requires: ['CreateOrder', 'CancelOrderById'],
  products: { 'Order and Pay': 'if registered' },
  uses: ['GetOrderById'],
  faults: ['CancelOrderById:contract'],
  params: [P.currency],
  async run(run) {
    const order = await createOrder(run, 'Create an order to cancel (CreateOrder)', orderToCreate(run));
    await run.step(`Cancel order ${order.id} (CancelOrderById)`, async (s) => {
      const after = await s.call('CancelOrderById', { orderId: order.id });
      checkIsOrder(s, 'CancelOrderById', order.id, after);
      new Checker().equal('$.status', 'Canceled', after.status, 'a cancelled order must say so').assert('CancelOrderById did not cancel the order');
    });
    if (await run.has('GetOrderById')) {
      await run.step(`Read the cancelled order back (GetOrderById)`, async (s) => {
        const after = await getOrder(s, order.id);
        new Checker().equal('$.status', 'Canceled', after.status, 'the cancellation did not stick').assert('the order is not Canceled when read back');
      });
    }
    await run.step('Cancel an unknown order: expect NotFound (CancelOrderById)', async (s) => {
      await s.expectError('CancelOrderById', { orderId: testerId(run, 'missing-order') }, ['NotFound']);
    });
  },
};

export const getOrderBillFlow: FlowDef = {
  name: 'Get Order Bill',
  flowName: 'Get Order Bill through EPOS Data API',
  family: 'Orders',
  description: 'Reads the bill of an order (GetOrderBillById) and checks it wraps that very order with the totals GetOrderById gives. Changes data only when no orderId is given and the flow creates an order.',
  changesData: true,
  requires: ['GetOrderBillById'],
  products: { 'Pay at Table': 'if registered' },
  ...workOnOrder(['GetOrderById']),
  faults: ['GetOrderBillById:contract'],
  async run(run) {
    const { orderId } = await orderToWorkOn(run);
    let order: Order | undefined;
    if (await run.has('GetOrderById')) order = await run.step(`Get order ${orderId} (GetOrderById)`, (s) => getOrder(s, orderId));
    await run.step(`Get the bill of order ${orderId} (GetOrderBillById)`, async (s) => {
      const bill = await s.call('GetOrderBillById', { orderId });
      const c = new Checker().equal('$.order.id', orderId, bill.order.id, 'the bill is not for the order asked for');
      if (order) {
        c.equal('$.order.totalAmount', order.totalAmount, bill.order.totalAmount, 'the bill total differs from GetOrderById');
        c.equal('$.order.paidAmount', order.paidAmount, bill.order.paidAmount, 'the bill paid amount differs from GetOrderById');
      }
      c.assert('GetOrderBillById answered a bill that does not match the order');
      s.info(`bill: ${bill.header.lines.length} header lines, ${bill.footer.lines.length} footer lines`);
    });
  },
};
