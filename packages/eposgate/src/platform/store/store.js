/** The statuses an entry ends in: retention may prune these, never a pending one. */
export const DONE_STATUSES = ['delivered', 'failed', 'skipped', 'expired'];
