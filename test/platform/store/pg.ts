// The PostgreSQL the tests use (127.0.0.1:5432, or $EPOSGATE_TEST_DATABASE_URL): each test works in
// a schema of its own and drops it.
import pg from 'pg';

export const TEST_DATABASE = process.env.EPOSGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The URL of `schema` in the test database (or in `base`). */
export function schemaUrl(schema: string, base = TEST_DATABASE): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function dropSchemas(...schemas: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_DATABASE });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
}
