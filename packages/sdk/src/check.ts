// Contract checks for the SDK: params coming in, results going out. Thin over the contract's own
// validator so the EPOS and the platform judge a body by the same rules.
import { validateParams, validateResult, type CapabilityDef, type FieldIssue } from '@eposgate/contract';

export type { FieldIssue };

export function checkParams(def: CapabilityDef, params: unknown): FieldIssue[] | null {
  return validateParams(def, params);
}

export function checkResult(def: CapabilityDef, result: unknown): FieldIssue[] | null {
  return validateResult(def, result);
}

/** One line per issue: `$.payments[0].paidAmount.value: expected integer, got "12"`. */
export function describeIssues(issues: FieldIssue[], max = 5): string {
  const lines = issues.slice(0, max).map((i) => {
    const parts = [`${i.path}: ${i.message}`];
    if (i.expected !== undefined) parts.push(`expected ${i.expected}`);
    if (i.actual !== undefined) parts.push(`got ${safeJson(i.actual)}`);
    return parts.join('; ');
  });
  if (issues.length > max) lines.push(`… and ${issues.length - max} more`);
  return lines.join('\n');
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(v);
  }
}
