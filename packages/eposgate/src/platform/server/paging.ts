// Paging of the console's lists (cursor + limit): `limit` 1..200, default 50; `cursor` is what the
// previous page answered as nextCursor. Lists here are numbered per tenant and newest first, so a
// cursor is the number of the last row shown and the next page holds those below it.
import { Type } from '@sinclair/typebox';
import { explained, type Explain } from './validation.ts';

export const PAGE_MAX = 200;
export const PAGE_DEFAULT = 50;

/** 1..200 in at most four digits ("0042" is 42, as Number() reads it). */
export const PAGE_LIMIT = '^(?=\\d{1,4}$)0*(?:[1-9]\\d?|1\\d\\d|200)$';
const CURSOR = '^\\d{1,15}$';

const explain: Explain = (issue, e) => {
  const actual: unknown = e.data;
  if (issue.path === '$.query.limit') return { path: issue.path, message: `limit must be an integer from 1 to ${PAGE_MAX}`, expected: `1..${PAGE_MAX}`, actual };
  if (issue.path === '$.query.cursor') return { path: issue.path, message: 'cursor must be a nextCursor value this list answered', expected: 'nextCursor', actual };
  return issue;
};

export const PAGE_FIELDS = {
  cursor: Type.Optional(Type.String({ pattern: CURSOR, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.String({ pattern: PAGE_LIMIT, description: `Rows per page, 1..${PAGE_MAX} (default ${PAGE_DEFAULT})` })),
};

export const PageQuery = explained(Type.Object(PAGE_FIELDS), explain);

/** The page a query asks for: rows numbered below `before`, at most `limit`. */
export function pageOf(q: { cursor?: string; limit?: string }): { before?: number; limit: number } {
  return { ...(q.cursor !== undefined ? { before: Number(q.cursor) } : {}), limit: q.limit !== undefined ? Number(q.limit) : PAGE_DEFAULT };
}

export function nextCursor(lastShown: number): string {
  return String(lastShown);
}
