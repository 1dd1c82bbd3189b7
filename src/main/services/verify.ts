// Checking a vault's whole integrity for `keyden verify` (DESIGN §3 "Integrity"): every row of
// every table, in SQL. An unlock checks the rows it loads from its snapshot (unlock-snapshot.ts).
import type { Db } from '../store/db.js';
import { computeDigest, failingRowIds, MAC_TABLES, readIntegrity, recordChecks, type MacTable } from '../store/integrity.js';

export interface IntegrityReport {
  /** The generation in `meta.integrity`, or null when the record is missing or malformed. */
  generation: number | null;
  /** Whether `meta.integrity`'s own mac holds under this key. */
  recordOk: boolean;
  /** Rows whose stored mac differs from the recomputed one (a few ids each, to look them up). */
  failing: { table: MacTable; count: number; ids: string[] }[];
  /** Whether the digest recomputed from every stored mac (and the meta rows' macs), all different, equals the recorded one. */
  digestOk: boolean;
}

export function inspectIntegrity(db: Db, key: Uint8Array, vaultId: string, tables: readonly MacTable[] = MAC_TABLES): IntegrityReport {
  const record = readIntegrity(db);
  const recordOk = record !== null && recordChecks(record, key, vaultId);
  const failing = failingRowIds(db, tables);
  const digestOk = record !== null && computeDigest(db, key)?.toString('hex') === record.digest;
  return { generation: record?.generation ?? null, recordOk, failing, digestOk };
}

/** What `keyden verify` reports. */
export interface VerifyReport extends IntegrityReport {
  format: 1 | 2;
  vaultId: string;
  /** The highest generation this machine has recorded for this vault, if any. */
  known: number | null;
  /** One line saying what is wrong, or null when everything checks (format 1: what its upgrade would refuse, if anything). */
  problem: string | null;
}

/** One line saying what failed, as DESIGN §3 asks. */
export function describeFailure(report: IntegrityReport): string | null {
  if (!report.recordOk) return report.generation === null ? 'its integrity record is missing or damaged' : "its integrity record does not match this vault's key";
  if (report.failing.length > 0) {
    const parts = report.failing.map((f) => `${f.count} ${f.count === 1 ? 'row' : 'rows'} of ${f.table}`);
    return `${parts.join(', ')} ${report.failing.length === 1 && report.failing[0]!.count === 1 ? 'fails its' : 'fail their'} mac`;
  }
  if (!report.digestOk) return 'a row was deleted or rolled back';
  return null;
}
