// Capability names in registration bodies: wire-aligned names and legacy aliases from the catalogue,
// with the closest valid name offered for anything else.
import { findCapability, registrableNames, type Capability } from '@eposgate/contract';

export function resolveName(name: string): Capability | undefined {
  return findCapability(name);
}

/**
 * The valid name a misspelt one most likely meant. Quadratic in the name's length: callers bound
 * the length and the number of names they ask about (registry/body.ts).
 */
export function closestName(name: string): string {
  const wanted = name.toLowerCase();
  // A family name alone ("HandleEvent") means one of its members ("HandleEvent:payment_intent.created").
  const member = registrableNames().find((c) => c.toLowerCase().startsWith(`${wanted}:`));
  if (member) return member;
  let best = '';
  let bestScore = Infinity;
  for (const candidate of registrableNames()) {
    const c = candidate.toLowerCase();
    let score = distance(wanted, c);
    // "GetOrder" means GetOrderById more often than CreateOrder: reward a shared start.
    if (c.startsWith(wanted) || wanted.startsWith(c)) score -= 2;
    if (score < bestScore) { best = candidate; bestScore = score; }
  }
  return findCapability(best)?.name ?? best;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
