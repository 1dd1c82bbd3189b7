// Plain-Node file access for export and import (no Electron needed, so the e2e transport reuses it).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KeydenError } from '../../shared/errors.js';
import type { FilePort } from './handlers.js';

export const nodeFiles: FilePort = {
  /**
   * Writes a new file (mode 0600 from its creation) beside the target and renames it over the
   * target: a symlink at the target (a `.env` link a cloned repository holds) is replaced, never
   * followed, so the secrets go nowhere but the path the user chose.
   */
  async writePrivate(target, content) {
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.keyden-${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } catch (e) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw e;
    }
    await handle.close();
    try {
      await rename(temporary, target);
    } catch (e) {
      await unlink(temporary).catch(() => undefined);
      throw e;
    }
  },
  /**
   * A regular file's text, refused past `maxBytes`. Read through one descriptor and bounded: a
   * FIFO, a device or a /proc file (whose size says 0) is refused, not read until memory runs out.
   */
  async readText(file, maxBytes) {
    // O_NONBLOCK: opening a FIFO without a writer returns at once (to be refused), instead of waiting.
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    let bytes: Buffer;
    try {
      if (!(await handle.stat()).isFile()) throw new KeydenError('VALIDATION_FAILED', 'That is not a regular file', { file: 'not a regular file' });
      const buffer = Buffer.alloc(maxBytes + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > maxBytes) throw new KeydenError('PAYLOAD_TOO_LARGE', 'That file is too large to import', { maxBytes });
      }
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new KeydenError('VALIDATION_FAILED', 'That file is not UTF-8 text', { file: 'not UTF-8' });
    }
  },
};
