// Prepared statements cached per connection, and the connection's data_version: the lowest
// layer of the store (db.ts, the migrations and the integrity bookkeeping all use it).
import type Database from 'better-sqlite3';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on this connection, compiled once: hot paths (reveal's audit
 * row and value read, token lookup) would otherwise re-compile the same SQL on every call.
 */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/** `PRAGMA data_version`: moves only when another connection commits. */
export const dataVersion = (db: Db): number => statement(db, 'PRAGMA data_version').pluck().get() as number;

