// The printable bill: the order wrapped in a header and a footer that between them use every
// bill line type.
import type { ParamsOf, ResultOf } from '@eposgate/sdk';
import { fmt } from './money.ts';
import { getOrder } from './orders.ts';
import type { BillLine, Restaurant } from './restaurant.ts';

export const RESTAURANT = {
  name: 'The Gate House',
  addressLines: ['12 Market Street', 'Cambridge'],
  postcode: 'CB2 3QF',
  phone: '+44 1223 000000',
  email: 'hello@gatehouse.example',
  vatNumber: 'GB123456789',
  feedbackUrl: 'https://gatehouse.example/feedback',
};

const LOGO = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 40'><rect width='100' height='40' rx='6' fill='#1b4332'/><text x='50' y='26' font-size='16' text-anchor='middle' fill='#fff'>GATE</text></svg>";
const STAMP = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 40 40'><circle cx='20' cy='20' r='18' fill='none' stroke='#1b4332' stroke-width='3'/></svg>";

export function getOrderBill(restaurant: Restaurant, p: ParamsOf<'GetOrderBillById'>): ResultOf<'GetOrderBillById'> {
  const order = getOrder(restaurant, p.orderId);
  const cur = order.totalAmount?.currencyCode ?? 'GBP';
  const table = order.details.dineIn?.tableId;
  const header: BillLine[] = [
    { lineType: 'Logo', logo: { svgImage: LOGO } },
    { lineType: 'MerchantName', merchantName: { name: RESTAURANT.name } },
    { lineType: 'MerchantAddress', merchantAddress: { addressLines: RESTAURANT.addressLines, postcode: RESTAURANT.postcode } },
    { lineType: 'MerchantPhoneNumber', merchantPhoneNumber: { phoneNumber: RESTAURANT.phone } },
    { lineType: 'MerchantEmailAddress', merchantEmailAddress: { emailAddress: RESTAURANT.email } },
    { lineType: 'HorizontalLine', horizontalLine: { line: 'Single' } },
    { lineType: 'Text', text: { value: `Bill ${order.reference ?? order.id}`, size: 'Header1', align: 'Center', bold: true } },
  ];
  if (table) header.push({ lineType: 'Text', text: { value: `Table ${table}`, size: 'Header2', align: 'Left' } });
  const footer: BillLine[] = [
    { lineType: 'HorizontalLine', horizontalLine: { line: 'Double' } },
    { lineType: 'Text', text: { value: `Total ${fmt(order.totalAmount?.value ?? 0, cur)}`, size: 'Header2', align: 'Right', bold: true } },
    { lineType: 'Text', text: { value: `Service charge ${fmt(order.serviceChargeAmount?.value ?? 0, cur)} is discretionary`, size: 'Body', align: 'Left' } },
    { lineType: 'Image', image: { svgImage: STAMP, align: 'Center' } },
    { lineType: 'URL', url: { url: RESTAURANT.feedbackUrl, showQr: true, showUrl: false } },
    { lineType: 'TaxNumber', taxNumber: { name: 'VAT', number: RESTAURANT.vatNumber } },
  ];
  return { header: { lines: header }, order, footer: { lines: footer } };
}
