import pg from 'pg';

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Runs `work` with the URL of a fresh database on the PostgreSQL server `serverUrl` names (a user that may create
 * databases), and drops the database afterwards, whatever `work` did.
 * @param serverUrl - e.g. `postgres://postgres@127.0.0.1:5432/test`.
 * @param prefix - the start of the database's name (letters, digits, underscores).
 */
export async function withPostgresDatabase<T>(
  serverUrl: string,
  prefix: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await admin(serverUrl, `create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin(serverUrl, `drop database if exists ${name} with (force)`);
  }
}
