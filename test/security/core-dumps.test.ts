// The owner writes no core file (docs/cli.md "Memory"): a core of it would hold the master
// password, the vault key, revealed values and tokens. First the module with a recorded system,
// then a real `keyden serve`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreLimitIsZero, descendantsOf, disableCoreDumps, disableCoreDumpsBelow, nodeCoreDumpSystem, parentPidOf, prlimitArgs, type CoreDumpSystem } from '../../src/main/no-core-dumps.js';
import { CHEAP_BIN, collect, ensureBuilt, PASSWORD, scratchHomes, seedVault, serve } from '../cli/helpers.js';

const LIMITS_ZERO = 'Limit                     Soft Limit           Hard Limit           Units     \nMax core file size        0                    0                    bytes     \n';
const LIMITS_OPEN = 'Limit                     Soft Limit           Hard Limit           Units     \nMax core file size        unlimited            unlimited            bytes     \n';

/** A Linux system whose prlimit behaves as told, recording what the owner asked of it. */
function recordedSystem(prlimit: (args: readonly string[]) => { status: number | null; error?: Error; stderr?: string }, platform: NodeJS.Platform = 'linux') {
  const runs: { file: string; args: readonly string[] }[] = [];
  const writes: { path: string; text: string }[] = [];
  let limits = LIMITS_OPEN;
  const system: CoreDumpSystem = {
    platform,
    pid: 4242,
    run: (file, args) => {
      runs.push({ file, args });
      const r = prlimit(args);
      if (r.status === 0) limits = LIMITS_ZERO;
      return { stderr: '', ...r };
    },
    readText: (p) => {
      if (p !== '/proc/self/limits') throw new Error(`unexpected read of ${p}`);
      return limits;
    },
    writeText: (p, text) => writes.push({ path: p, text }),
    processIds: () => [],
  };
  return { system, runs, writes };
}

describe('turning off core dumps of the owner', () => {
  it('runs prlimit on its own pid to set the core limit to 0, soft and hard, and then reports nothing', () => {
    const { system, runs } = recordedSystem(() => ({ status: 0 }));
    expect(disableCoreDumps(system)).toBeNull();
    expect(runs).toEqual([{ file: 'prlimit', args: ['--pid=4242', '--core=0:0'] }]);
    expect(prlimitArgs(7)).toEqual(['--pid=7', '--core=0:0']);
  });

  it('keeps anonymous memory out of any core a pipe handler still takes', () => {
    const { system, writes } = recordedSystem(() => ({ status: 0 }));
    disableCoreDumps(system);
    expect(writes).toEqual([{ path: '/proc/self/coredump_filter', text: '0' }]);
  });

  it('says prlimit is missing, without throwing, when it cannot be found', () => {
    const missing = Object.assign(new Error('spawnSync prlimit ENOENT'), { code: 'ENOENT' });
    const { system } = recordedSystem(() => ({ status: null, error: missing }));
    expect(disableCoreDumps(system)).toBe('prlimit (util-linux) was not found');
  });

  it('reports the first line of prlimit’s error when it fails', () => {
    const { system } = recordedSystem(() => ({ status: 1, stderr: 'prlimit: failed to set the CORE resource limit: Operation not permitted\nmore\n' }));
    expect(disableCoreDumps(system)).toBe('prlimit failed: prlimit: failed to set the CORE resource limit: Operation not permitted');
  });

  it('reports a prlimit that hangs past its timeout', () => {
    const timedOut = Object.assign(new Error('spawnSync prlimit ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const { system } = recordedSystem(() => ({ status: null, error: timedOut }));
    expect(disableCoreDumps(system)).toBe('prlimit failed: spawnSync prlimit ETIMEDOUT');
  });

  it('reports nothing when the limit was already 0 though prlimit is missing', () => {
    const { system } = recordedSystem(() => ({ status: null, error: Object.assign(new Error('ENOENT'), { code: 'ENOENT' }) }));
    system.readText = () => LIMITS_ZERO;
    expect(disableCoreDumps(system)).toBeNull();
  });

  it('does nothing on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { system, runs, writes } = recordedSystem(() => ({ status: 0 }), platform);
      expect(disableCoreDumps(system)).toBeNull();
      expect(runs).toEqual([]);
      expect(writes).toEqual([]);
    }
  });

  it('reads a zero core limit only when soft and hard are both 0', () => {
    expect(coreLimitIsZero(LIMITS_ZERO)).toBe(true);
    expect(coreLimitIsZero(LIMITS_OPEN)).toBe(false);
    expect(coreLimitIsZero('Max core file size        0                    unlimited            bytes     \n')).toBe(false);
  });
});

describe("the desktop app's helper processes (Chromium's zygotes, started before Keyden's code)", () => {
  it('reads the parent pid from /proc/<pid>/stat even when the command holds spaces and parentheses', () => {
    expect(parentPidOf('4242 (Web Content (x)) S 17 4242 4242 0 -1 4194560')).toBe(17);
    expect(parentPidOf('1 (init) S 0 1 1 0')).toBeNull();
  });

  it('finds every process below the app, children and their children, and no other', () => {
    const parents: Record<number, number> = { 10: 1, 11: 10, 12: 11, 13: 10, 20: 1, 21: 20 };
    const system: CoreDumpSystem = {
      ...nodeCoreDumpSystem,
      processIds: () => Object.keys(parents).map(Number),
      readText: (p) => {
        const pid = Number(/^\/proc\/(\d+)\/stat$/.exec(p)?.[1]);
        return `${pid} (helper) S ${parents[pid]} 0 0`;
      },
    };
    expect(descendantsOf(10, system).sort()).toEqual([11, 12, 13]);
    expect(descendantsOf(13, system)).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')('sets the core limit of a real child and grandchild to 0, soft and hard', async () => {
    // A child that starts a grandchild; both wait, holding nothing (bounded: they end in 20 s).
    const script = "require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' }); setTimeout(() => {}, 20000)";
    const child = spawn('/bin/sh', ['-c', `ulimit -c unlimited 2>/dev/null; exec "${process.execPath}" -e "${script}"`], { stdio: 'ignore' });
    try {
      let below: number[] = [];
      // Bounded: 100 looks, 50 ms apart, until the grandchild is there.
      for (let i = 0; i < 100 && below.length < 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        below = descendantsOf(child.pid!, nodeCoreDumpSystem);
      }
      expect(below).toHaveLength(1);
      expect(disableCoreDumpsBelow(process.pid)).toEqual([]);
      for (const pid of [child.pid!, ...below]) {
        expect(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'), String(pid)).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
      }
    } finally {
      for (const pid of descendantsOf(child.pid!, nodeCoreDumpSystem)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
});

const linux = process.platform === 'linux';
const homes = scratchHomes();
const newHome = homes.make;
beforeAll(() => ensureBuilt(), 90_000);
afterAll(homes.removeAll);

describe.skipIf(!linux)('a real keyden serve on Linux', () => {
  it('runs with a core limit of 0, soft and hard, once it is ready', async () => {
    const home = newHome();
    await seedVault(home, {});
    const owner = await serve(home);
    try {
      const limits = fs.readFileSync(`/proc/${String(owner.child.pid)}/limits`, 'utf8');
      expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
      expect(fs.readFileSync(`/proc/${String(owner.child.pid)}/coredump_filter`, 'utf8').trim()).toBe('00000000');
    } finally {
      expect((await owner.stop()).code).toBe(0);
    }
  });

  it('runs an admin command (token create) with a core limit of 0 before it reads the master password', async () => {
    const home = newHome();
    await seedVault(home, {});
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KEYDEN_HOME: home, LANG: 'C.UTF-8' };
    // stdin stays open: the command waits for the password, holding nothing yet.
    const child = spawn(process.execPath, [CHEAP_BIN, 'token', 'create', '--name', 'ci', '--password-stdin'], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let limits = '';
      // Bounded: 100 looks, 50 ms apart.
      for (let i = 0; i < 100 && !/^Max core file size\s+0\s+0\s/m.test(limits); i++) {
        await new Promise((r) => setTimeout(r, 50));
        limits = fs.readFileSync(`/proc/${String(child.pid)}/limits`, 'utf8');
      }
      expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
    } finally {
      child.kill('SIGKILL');
    }
  });

  // Only where a core would be a file in the process's folder and this process may raise its limit.
  const pattern = linux ? fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim() : '|';
  const mayRaise = linux && /^Max core file size\s+\S+\s+unlimited\s/m.test(fs.readFileSync('/proc/self/limits', 'utf8'));
  it.skipIf(pattern.startsWith('|') || pattern.includes('/') || !mayRaise)('writes no core file when it aborts, even started with ulimit -c unlimited', async () => {
    const home = newHome();
    await seedVault(home, {});
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KEYDEN_HOME: home, LANG: 'C.UTF-8' };
    const child = spawn('/bin/sh', ['-c', 'ulimit -c unlimited && exec "$@"', 'sh', process.execPath, CHEAP_BIN, 'serve', '--port', '0', '--password-stdin'], { cwd: home, env });
    const result = collect(child, { input: `${PASSWORD}\n`, timeoutMs: 30_000 });
    await new Promise<void>((ready) =>
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('Keyden API listening')) ready();
      }),
    );
    child.kill('SIGABRT'); // not handled: its default action is a core dump
    expect((await result).signal).toBe('SIGABRT');
    expect(fs.readdirSync(home).filter((f) => f.startsWith(pattern.split('%')[0] || 'core'))).toEqual([]);
  });
});
