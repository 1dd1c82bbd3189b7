// Whole-file rollback detection (DESIGN §3 "Integrity"): `<home>/known-vaults.json` keeps, per
// vault_id, the highest integrity generation this machine has seen, each with an HMAC under the
// vault's K_mac so that nobody without the vault key can lower it.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sameHex } from './integrity.js';
import { unsafeFolder, writePrivateFile } from '../home.js';
import { withLockFile } from './lockfile.js';

interface KnownEntry {
  generation: number;
  mac: string;
}

type KnownFile = Record<string, KnownEntry>;

const entryMac = (key: Uint8Array, vaultId: string, generation: number): string =>
  createHmac('sha256', key).update(`keyden/2/known-vault/${vaultId}/${generation}`, 'utf8').digest('hex');

function readFile(file: string): KnownFile {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as KnownFile) : {};
  } catch {
    return {};
  }
}

/** The generation of entry `name` of `all` for `vaultId`, if its mac checks under `key`. */
function vouchedEntry(all: KnownFile, name: string, key: Uint8Array, vaultId: string): number | null {
  const e = Object.hasOwn(all, name) ? all[name] : undefined;
  if (!e || !Number.isSafeInteger(e.generation) || typeof e.mac !== 'string') return null;
  return sameHex(e.mac, entryMac(key, vaultId, e.generation)) ? e.generation : null;
}

/** The entry a rotated-away key keeps: `<vault_id>/retired/<tag of that key>`. */
const retiredName = (key: Uint8Array, vaultId: string): string =>
  `${vaultId}/retired/${createHmac('sha256', key).update('keyden/2/known-vault/retired', 'utf8').digest('hex').slice(0, 16)}`;

/** The generation recorded for `vaultId` in `all` that `key` vouches for: its current entry, or the one a rotation left for this key. */
function vouched(all: KnownFile, key: Uint8Array, vaultId: string): number | null {
  const current = vouchedEntry(all, vaultId, key, vaultId);
  const retired = vouchedEntry(all, retiredName(key, vaultId), key, vaultId);
  return current === null ? retired : retired === null ? current : Math.max(current, retired);
}

export class KnownVaults {
  constructor(private readonly file: string) {}

  /**
   * The highest generation recorded for this vault, or null when there is none this key can
   * vouch for (a new machine, or an entry someone edited: it is then ignored and replaced).
   */
  known(key: Uint8Array, vaultId: string): number | null {
    return vouched(readFile(this.file), key, vaultId);
  }

  /** Records `generation` unless a higher one is already vouched for (`force`: the user accepted a rollback). */
  record(key: Uint8Array, vaultId: string, generation: number, options: { force?: boolean } = {}): void {
    this.update((all) => {
      const current = vouched(all, key, vaultId);
      if (!options.force && current !== null && current >= generation) return false;
      all[vaultId] = { generation, mac: entryMac(key, vaultId, generation) };
      // An accepted rollback to a copy under a rotated-away key: that key's old mark goes too.
      if (options.force) delete all[retiredName(key, vaultId)];
      return true;
    });
  }

  /**
   * After a key rotation to `generation`: the rotated-away key keeps that generation as its mark,
   * so a copy from before the rotation (which opens with that key) is found older, not new here.
   */
  retire(oldKey: Uint8Array, vaultId: string, generation: number): void {
    this.update((all) => {
      all[retiredName(oldKey, vaultId)] = { generation, mac: entryMac(oldKey, vaultId, generation) };
      return true;
    });
  }

  /**
   * Reads the file, lets `change` edit its entries, and writes it back if it says so, holding
   * `known-vaults.json.lock`: every Keyden process (the app, `keyden serve`, each admin command)
   * records here, and two doing it at once would otherwise lose one's entry, and with it a
   * rollback this machine could detect.
   */
  private update(change: (all: KnownFile) => boolean): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A folder another user may write in could hold a planted symlink: the record is not kept there.
    const unsafe = unsafeFolder(dir, { sharedWrite: true });
    if (unsafe) throw new Error(`not recording known vaults in ${dir}: ${unsafe}`);
    withLockFile(`${this.file}.lock`, () => {
      const all = readFile(this.file);
      if (change(all)) writePrivateFile(this.file, `${JSON.stringify(all, null, 2)}\n`);
    });
  }
}
