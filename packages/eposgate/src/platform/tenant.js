/** Stable string form, for maps and logs. */
export function tenantKey(t) {
    return `${t.env}:${t.accountId}`;
}
