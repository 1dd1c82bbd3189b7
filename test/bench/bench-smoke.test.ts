// A tiny run of `npm run bench` (a few entries, short loads) so the harness never rots. It checks
// the shape of `--json` (DESIGN §7's keys), never speed: the figures of a smoke run mean nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../cli/helpers.js';

const run = promisify(execFile);

const KEYS = [
  'kdf_ms',
  'kdf_noble_ms',
  'unlock_ms',
  'unlock_overhead_ms',
  'search_ms',
  'list_10k_ms',
  'reveal_p50_ms',
  'reveal_p99_ms',
  'reveal_rps',
  'reveal_rps_32',
  'floor_http_rps',
  'floor_decrypt_us',
  'floor_sqlite_read_us',
  'floor_unlock_read_overviews_ms',
  'floor_unlock_read_rows_ms',
  'floor_unlock_macs_ms',
  'export_200_ms',
  'verify_10k_ms',
  'rotate_10k_ms',
  'rotate_cli_ms',
  'import_10k_ms',
  'get_ms',
  'get_ref_small_ms',
  'get_ref_10k_ms',
  'node_e0_ms',
  'serve_rss_mb',
];

describe('npm run bench (smoke)', () => {
  it('runs end to end on a few entries and prints one JSON object with every figure', { timeout: 180_000 }, async () => {
    ensureBuilt();
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bench/run.js'), '--smoke', '--json', '--no-build'], {
      cwd: ROOT,
      timeout: 170_000,
      maxBuffer: 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of KEYS) {
      for (const k of [key, `${key}_min`, `${key}_max`]) {
        expect(typeof result[k], k).toBe('number');
        expect(Number.isFinite(result[k] as number), k).toBe(true);
      }
      expect(result[`${key}_min`] as number, key).toBeLessThanOrEqual(result[`${key}_max`] as number);
    }
    expect(result.unlock_ratio as number).toBeGreaterThan(0);
    expect(result.unlock_format2_floor_ms as number).toBeGreaterThan(0);
    expect(result.kdf_backend).toBe('native');
    expect(result.reveal_rps as number).toBeGreaterThan(0);
    expect(result.serve_rss_mb as number).toBeGreaterThan(0);
    expect(result.machine).toMatchObject({ nproc: expect.any(Number), node: process.version });
  });
});
