// For tests of the second line of defence: someone who holds the vault key (as a bug in Keyden
// would) edits rows and recomputes every mac and the integrity record, so the file passes the
// format 2 checks and only the blobs' AAD binding is left to catch what was moved.
import Database from 'better-sqlite3';
import { deriveSubkeys, unwrapVaultKey } from '../../src/main/crypto/aead.js';
import { deriveKek, type KdfParams } from '../../src/main/crypto/kdf.js';
import { IntegrityWriter, readIntegrity } from '../../src/main/store/integrity.js';

/** The vault key of the file `db` holds, from its password (as an owner's unlock finds it), and its vault id. */
export async function vaultKeyOf(db: Database.Database, password: string): Promise<{ vaultKey: Uint8Array; vaultId: string }> {
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  const vaultId = meta.get('vault_id')!;
  const kek = await deriveKek(password, JSON.parse(meta.get('kdf')!) as KdfParams);
  const vaultKey = unwrapVaultKey(kek, new Uint8Array(Buffer.from(meta.get('wrapped_key')!, 'base64')), vaultId);
  if (!vaultKey) throw new Error('vaultKeyOf: wrong password');
  return { vaultKey, vaultId };
}

export async function remacVault(vaultPath: string, password: string): Promise<void> {
  const db = new Database(vaultPath);
  try {
    const { vaultKey, vaultId } = await vaultKeyOf(db, password);
    const { mac } = deriveSubkeys(vaultKey);
    const integrity = new IntegrityWriter(db, () => mac);
    db.transaction(() => integrity.rebuild(vaultId, (readIntegrity(db)?.generation ?? 0) + 1, () => undefined)).immediate();
  } finally {
    db.close();
  }
}
