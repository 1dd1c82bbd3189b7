// Plain-Node file access for export and import (no Electron needed, so the e2e transport reuses it).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { KeydenError } from '../../shared/errors.js';
import { writePrivateFile } from '../home.js';
import type { FilePort } from './handlers.js';

export const nodeFiles: FilePort = {
  /**
   * A new 0600 file renamed over the target (home.ts writePrivateFile): a symlink at the target (a
   * `.env` link a cloned repository holds) is replaced, never followed.
   */
  async writePrivate(target, content) {
    writePrivateFile(target, content);
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
