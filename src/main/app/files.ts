// Plain-Node file access for export and import (no Electron needed, so the e2e transport reuses it).
import { open, readFile, stat } from 'node:fs/promises';
import { KeydenError } from '../../shared/errors.js';
import type { FilePort } from './handlers.js';

export const nodeFiles: FilePort = {
  async writePrivate(path, content) {
    const handle = await open(path, 'w', 0o600);
    try {
      await handle.chmod(0o600); // an existing file keeps its mode on open: tighten it
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
  },
  async readText(path, maxBytes) {
    const info = await stat(path);
    if (info.size > maxBytes) throw new KeydenError('PAYLOAD_TOO_LARGE', 'That file is too large to import', { maxBytes });
    const bytes = await readFile(path);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new KeydenError('VALIDATION_FAILED', 'That file is not UTF-8 text', { file: 'not UTF-8' });
    }
  },
};
