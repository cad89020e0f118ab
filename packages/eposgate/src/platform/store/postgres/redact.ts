// A database URL as it may be shown (logs, errors): the password replaced. Apart from db.ts so that
// showing a URL does not load the PostgreSQL driver.
/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
