// Order arithmetic, in minor units. House rules (see docs/reference-epos.md):
// - a line costs quantity × (unit price + its modifiers + its sub-items, each with their modifiers);
// - sub-item and modifier quantities are per single parent item;
// - menu prices include VAT; tax lines report the VAT inside the total and add nothing;
// - total = lines − discounts + service charge; tips are never part of the total.
import type { Discount, OrderItem, OrderSubItem, Modifier } from './restaurant.ts';

function modifiersCost(mods: Modifier[] | undefined): number {
  return (mods ?? []).reduce((s, m) => s + m.quantity * m.amountPerModifier.value, 0);
}

function subItemCost(sub: OrderSubItem): number {
  return sub.quantity * (sub.amountPerItem.value + modifiersCost(sub.modifiers));
}

export function lineCost(item: OrderItem): number {
  const perItem = item.amountPerItem.value + modifiersCost(item.modifiers) + (item.subItems ?? []).reduce((s, x) => s + subItemCost(x), 0);
  return item.quantity * perItem;
}

export function itemsCost(items: OrderItem[]): number {
  return items.reduce((s, i) => s + lineCost(i), 0);
}

export function discountsCost(discounts: Discount[]): number {
  return discounts.reduce((s, d) => s + d.amountTotal.value, 0);
}

/** Every currency code an order's money carries. */
export function currenciesOf(items: OrderItem[], discounts: Discount[]): Set<string> {
  const out = new Set<string>();
  for (const i of items) {
    out.add(i.amountPerItem.currencyCode);
    for (const m of i.modifiers ?? []) out.add(m.amountPerModifier.currencyCode);
    for (const s of i.subItems ?? []) {
      out.add(s.amountPerItem.currencyCode);
      for (const m of s.modifiers ?? []) out.add(m.amountPerModifier.currencyCode);
    }
  }
  for (const d of discounts) out.add(d.amountTotal.currencyCode);
  return out;
}

/** VAT contained in a VAT-inclusive gross amount at `rateBp` basis points (2000 = 20%). */
export function includedTax(gross: number, rateBp: number): number {
  return Math.round((gross * rateBp) / (10_000 + rateBp));
}

/** `12.34 GBP` for messages. */
export function fmt(value: number, currency: string): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}
