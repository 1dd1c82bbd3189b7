// `npm run bench`: Keyden's speed where users feel it, against floors measured in the same run
// (DESIGN §7, docs/benchmarks.md). Builds src → build/ first, then imports the built JS, as the
// product runs. Everything happens in a temp folder and on 127.0.0.1; every loop is bounded.
//
//   node bench/run.js [--json] [--smoke] [--no-build] [--entries N] [--cpu-prof DIR]
//
// --json     one JSON object on stdout (keys of DESIGN §7, ms unless named otherwise); progress on stderr
// --smoke    a few entries and short runs, for the test suite (figures meaningless, shape checked)
// --cpu-prof DIR  run `keyden serve` under `node --cpu-prof` and write its profile into DIR
// --only LIST     measure only these parts (comma-separated: inproc, import, http, get, getref), to work
//                 on one figure; the JSON then holds only their keys
// --http-reps N   runs of each reveal load (default 5)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/keyden.cjs');
const LOAD = path.join(ROOT, 'bench/load.js');
const FLOOR_SERVER = path.join(ROOT, 'bench/floor-server.js');

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const JSON_OUT = flag('--json');
const SMOKE = flag('--smoke');
const CPU_PROF = option('--cpu-prof');
const PARTS = ['inproc', 'import', 'http', 'get', 'getref'];
const ONLY = option('--only')?.split(',') ?? PARTS;
for (const part of ONLY) if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part} (one of ${PARTS.join(', ')})`);
const want = (part) => ONLY.includes(part);
const ENTRIES = Number(option('--entries') ?? (SMOKE ? 100 : 10_000));
const EXPORT_VARS = SMOKE ? 20 : 200;
const IMPORT_LINES = SMOKE ? 200 : 10_000;
const REPS = SMOKE ? 1 : 3; // runs of the expensive figures (KDF, import)
const HTTP_REPS = Number(option('--http-reps') ?? (SMOKE ? 1 : 5)); // runs of each reveal load (4 × 3.5 s each), interleaved with the floor
const FAST_REPS = SMOKE ? 3 : 21; // runs of the cheap ones
const LOAD_MS = SMOKE ? 300 : 3000;
const WARMUP_MS = SMOKE ? 100 : 500;
const PASSWORD = 'bench horse battery staple';
/** The vault is built with the core's test-only cheap KDF (a code option); `serve` upgrades it at unlock. */
const CHEAP_KDF = { m: 8, t: 1 };

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** The machine's CPU counters (jiffies): how busy it was, and how much the hypervisor took (steal). */
function cpuCounters() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal: steal ?? 0 };
  } catch {
    return null;
  }
}
const countersAtStart = cpuCounters();
const loadAtStart = os.loadavg()[0];

// ---------------------------------------------------------------- build, then load the built core
if (!flag('--no-build')) {
  // npm run build:node: tsc, then the CommonJS bundle of `keyden get` (build/cli/fast.cjs).
  log('building src → build/ (npm run build:node)');
  const build = spawnSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: ['ignore', 2, 2], timeout: 120_000 });
  if (build.status !== 0) {
    if (!fs.existsSync(path.join(ROOT, 'build/cli/run.js')) || !fs.existsSync(path.join(ROOT, 'build/cli/fast.cjs'))) {
      log('the build failed and there is no build/ to run');
      process.exit(1);
    }
    log('the build reported errors (tsc still emitted its output); measuring what was built');
  }
}
const { openKeydenCore, APP, CLI } = await import('../build/main/core/index.js');
const { deriveKek, kdfBackend, newKdfParams, DEFAULT_KDF } = await import('../build/main/crypto/kdf.js');
const { xchachaDecrypt } = await import('../build/main/crypto/aead.js');
const { canon } = await import('../build/main/store/integrity.js');
const { createHmac } = await import('node:crypto');
const { xchacha20poly1305 } = await import('@noble/ciphers/chacha.js');
const { default: Database } = await import('better-sqlite3');

// ---------------------------------------------------------------- helpers
const now = () => performance.now();
async function timed(fn) {
  const t0 = now();
  await fn();
  return now() - t0;
}
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, min: s[0], max: s[s.length - 1] };
}
const figures = {};
const round = (x) => (Math.abs(x) >= 100 ? Math.round(x) : Math.abs(x) >= 10 ? Math.round(x * 10) / 10 : Math.round(x * 100) / 100);
function put(key, values) {
  const s = stats(Array.isArray(values) ? values : [values]);
  figures[key] = round(s.median);
  figures[`${key}_min`] = round(s.min);
  figures[`${key}_max`] = round(s.max);
}
function shuffle(a, seed = 42) {
  let x = seed;
  for (let i = a.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const j = x % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
let valueSeq = 0;
const fakeValue = (prefix = 'sk-') => `${prefix}${Buffer.from(`bench-value-${valueSeq++}-${'x'.repeat(16)}`).toString('base64url').slice(0, 40)}`;

function children() {
  const list = [];
  return {
    add(child) {
      list.push(child);
      return child;
    },
    killAll() {
      for (const c of list) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    },
  };
}
const kids = children();
process.on('exit', () => kids.killAll());
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

/** Spawns a server process and resolves with the first stdout line that matches. */
function startProcess(cmd, args, options, pattern, input, timeoutMs = 90_000) {
  return new Promise((resolve, reject) => {
    const child = kids.add(spawn(cmd, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] }));
    // The floor server exits when its stdin ends (so it never outlives the harness); serve reads a password.
    if (input !== undefined) child.stdin.end(input);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${path.basename(args[0] ?? cmd)} did not start in ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(args[0] ?? cmd)} exited (${code}) before it was ready: ${err.trim()}`));
    });
  });
}

function runLoad(spec) {
  return new Promise((resolve, reject) => {
    const child = kids.add(spawn(process.execPath, [LOAD, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator failed (${code}): ${err.trim()}`));
      const result = JSON.parse(out);
      if (result.bad > 0) return reject(new Error(`${result.bad} of ${result.requests} responses were not ${spec.expectStatus ?? 200}`));
      resolve(result);
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs the load generator and adds the server's CPU µs per request (warm-up included in both). */
async function runLoadOn(pid, spec) {
  const before = cpuSeconds(pid);
  const result = await runLoad(spec);
  const cpu = cpuSeconds(pid) - before;
  // The warm-up's requests are not counted, so scale the count by the time they took as well.
  const total = result.requests * ((result.seconds * 1000 + (spec.warmupMs ?? 0)) / (result.seconds * 1000));
  return { ...result, cpuUsPerRequest: (cpu * 1e6) / total };
}

/** One request on a keep-alive agent; rejects unless it answers `expect`. Resolves once the body is read. */
function httpRequest(agent, port, method, urlPath, headers, body, expect) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: body ? { ...headers, 'content-type': 'application/json' } : headers }, (res) => {
      let bytes = 0;
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => (res.statusCode === expect ? resolve(bytes) : reject(new Error(`${method} ${urlPath}: ${res.statusCode}, expected ${expect}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

// ---------------------------------------------------------------- the vault of N entries
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-bench-'));
const home = path.join(tmp, 'home');
fs.mkdirSync(home, { mode: 0o700 });
const vaultPath = path.join(home, 'vault.db');
const started = now();
let exitCode = 0;

try {
  const categoryNames = ['OpenAI', 'Anthropic', 'Stripe', 'GitHub', 'SendGrid', 'Google AI', 'Cloudflare', 'Mistral', 'Resend', 'Sentry', 'Vercel', 'Mapbox', 'Algolia', 'Postmark', 'Datadog'];
  while (categoryNames.length < 45) categoryNames.push(`Service ${String(categoryNames.length + 1).padStart(2, '0')}`);
  const groups = [
    { name: 'AWS', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] },
    { name: 'Supabase', fields: ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY'] },
    { name: 'Twilio', fields: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] },
    { name: 'Azure OpenAI', fields: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_KEY', 'AZURE_OPENAI_DEPLOYMENT'] },
    { name: 'Auth0', fields: ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET'] },
  ];
  const envVarOf = (name) => `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_API_KEY`;
  const words = ['Blog', 'Shop', 'Billing', 'Search', 'Chat', 'Docs', 'Admin', 'Mobile', 'Analytics', 'Payments', 'Auth', 'Media', 'Mail', 'Maps', 'Jobs'];
  const perChunk = categoryNames.length + groups.length; // entries per (project, environment)
  const chunks = Math.max(1, Math.floor((ENTRIES - EXPORT_VARS) / perChunk));
  const environments = ['development', 'production'];
  const projectCount = Math.ceil(chunks / environments.length);
  const projectName = (i) => `${words[i % words.length]} ${words[Math.floor(i / words.length) % words.length]} ${i + 1}`;

  log(`building a vault of ${chunks * perChunk + EXPORT_VARS} entries in ${tmp}`);
  const buildStart = now();
  // Known generations go to the bench's own home (as `keyden serve` below, whose KEYDEN_HOME it is).
  const knownVaultsPath = path.join(home, 'known-vaults.json');
  let core = openKeydenCore({ vaultPath, unsafeTestKdf: CHEAP_KDF, knownVaultsPath });
  await core.vault.create(CLI, PASSWORD);
  for (const name of categoryNames) core.categories.create(CLI, { name, keyType: 'simple', envVarName: envVarOf(name) });
  for (const g of groups) core.categories.create(CLI, { name: g.name, keyType: 'group', fields: g.fields });
  const envText = () =>
    [
      ...categoryNames.map((n) => `${envVarOf(n)}=${fakeValue()}`),
      ...groups.flatMap((g) => g.fields.map((f) => `${f}=${fakeValue('')}`)),
    ].join('\n');
  let made = 0;
  for (let p = 0; p < projectCount && made < chunks; p++) {
    for (const env of environments) {
      if (made++ >= chunks) break;
      const summary = core.projects.importEnv(CLI, projectName(p), env, envText(), 'upsert');
      if (summary.failed.length > 0) throw new Error(`seeding failed: ${JSON.stringify(summary.failed[0])}`);
    }
  }
  // The export project: EXPORT_VARS variables, each its own new category (as an import makes them).
  const exportText = Array.from({ length: EXPORT_VARS }, (_, i) => `EXPORT_VAR_${String(i + 1).padStart(3, '0')}=${fakeValue()}`).join('\n');
  core.projects.importEnv(CLI, 'Export Bench', 'development', exportText, 'upsert');
  const entryCount = core.entries.list(APP).total;
  figures.entries = entryCount;
  figures.build_vault_ms = Math.round(now() - buildStart);
  log(`vault ready: ${entryCount} entries in ${figures.build_vault_ms} ms`);

  const token = core.tokens.create(CLI, {
    name: 'bench',
    scopes: ['categories:read', 'entries:read', 'entries:reveal', 'vault:lock'],
    projects: null,
    environments: null,
  }).secret;
  const all = core.entries.list(APP).items;
  const simple = all.find((e) => e.category.keyType === 'simple' && e.name !== 'Export Bench');
  const simpleValue = (await core.entries.reveal(APP, simple.id)).value;

  if (want('inproc')) {
    // ------------------------------------------------------------ search as you type (in memory)
    const queries = ['s', 'st', 'str', 'stri', 'strip', 'stripe', 'b', 'bl', 'blo', 'blog', 'aws', 'aws_reg', 'pay', 'payments 3'];
    core.entries.list(APP, { q: 'warm' }); // builds the sorted view once, as the first keystroke after a change does
    const searchTimes = [];
    const matchCounts = {};
    for (let r = 0; r < FAST_REPS; r++) {
      for (const q of queries) {
        const t0 = now();
        const res = core.entries.list(APP, { q });
        searchTimes.push(now() - t0);
        matchCounts[q] = res.total;
      }
    }
    put('search_ms', searchTimes);
    const worstQuery = queries.reduce((a, b) => (matchCounts[a] >= matchCounts[b] ? a : b));
    const worstTimes = [];
    for (let r = 0; r < FAST_REPS; r++) {
      const t0 = now();
      core.entries.list(APP, { q: worstQuery });
      worstTimes.push(now() - t0);
    }
    put('search_broadest_ms', worstTimes);
    figures.search_broadest_matches = matchCounts[worstQuery];
    const inproc = [];
    for (let r = 0; r < FAST_REPS; r++) {
      const t0 = now();
      core.entries.list(APP);
      inproc.push(now() - t0);
    }
    put('list_10k_inproc_ms', inproc);

    // ------------------------------------------------------------ export of the 200-variable project
    const exportTimes = [];
    for (let r = 0; r < FAST_REPS; r++) exportTimes.push(await timed(() => core.projects.exportEnv(APP, 'Export Bench', 'development', 'dotenv')));
    put('export_200_ms', exportTimes);

    // ------------------------------------------------------------ unlock overhead beyond the KDF
    const meta = new Database(vaultPath, { readonly: true, fileMustExist: true });
    const vaultKdf = JSON.parse(meta.prepare("SELECT value FROM meta WHERE key = 'kdf'").get().value);
    meta.close();
    const overheads = [];
    const unlockTotals = [];
    for (let r = 0; r < (SMOKE ? 3 : 21); r++) {
      core.vault.lock(APP);
      const kdf = await timed(() => deriveKek(PASSWORD, vaultKdf));
      const unlock = await timed(() => core.vault.unlock(APP, PASSWORD));
      overheads.push(unlock - kdf);
      unlockTotals.push(unlock);
    }
    put('unlock_overhead_ms', overheads);
    put('unlock_cheap_kdf_ms', unlockTotals);

    // ------------------------------------------------------------ KDF at the default parameters
    const kdfParams = SMOKE ? newKdfParams(CHEAP_KDF) : newKdfParams(DEFAULT_KDF);
    const kdfTimes = [];
    const nobleTimes = [];
    // Native (@node-rs/argon2) where it loads, as the product runs; and the noble fallback, same run.
    for (let r = 0; r < REPS; r++) {
      kdfTimes.push(await timed(() => deriveKek(PASSWORD, kdfParams)));
      nobleTimes.push(await timed(() => deriveKek(PASSWORD, kdfParams, { backend: 'noble' })));
    }
    put('kdf_ms', kdfTimes);
    put('kdf_noble_ms', nobleTimes);
    figures.kdf_backend = kdfBackend();
    log(`in-process figures done (search ${figures.search_ms} ms, export ${figures.export_200_ms} ms, unlock overhead ${figures.unlock_overhead_ms} ms, kdf ${figures.kdf_ms} ms)`);

    // ------------------------------------------------------------ format 2: verify, and a key rotation of the whole vault
    {
      const verifyTimes = [];
      for (let r = 0; r < REPS; r++) verifyTimes.push(await timed(() => core.vault.verify(PASSWORD)));
      put('verify_10k_ms', verifyTimes);
      const rotateTimes = [];
      for (let r = 0; r < REPS; r++) rotateTimes.push(await timed(() => core.vault.rotateKey(CLI, PASSWORD)));
      put('rotate_10k_ms', rotateTimes);
      log(`keyden verify ${figures.verify_10k_ms} ms, key rotation ${figures.rotate_10k_ms} ms`);
    }

    // ------------------------------------------------------------ floors: bare SQLite read, bare decrypt
    {
      const db = new Database(vaultPath, { readonly: true, fileMustExist: true });
      const stmt = db.prepare('SELECT category_id, secret FROM entries WHERE id = ?');
      const ids = shuffle(all.map((e) => e.id));
      const per = [];
      const n = SMOKE ? 1000 : 20_000;
      for (let r = 0; r < (SMOKE ? 1 : 5); r++) {
        const t0 = now();
        for (let i = 0; i < n; i++) stmt.get(ids[i % ids.length]);
        per.push(((now() - t0) * 1000) / n);
      }
      db.close();
      put('floor_sqlite_read_us', per);
    }
    {
      // A bare durable commit: one audit-sized row in WAL with synchronous=FULL, in the same folder
      // (the fsync every group commit waits for; at 4 clients one is paid per round of 4 reveals).
      const file = path.join(tmp, 'commit-floor.db');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT, target_id TEXT, ok INTEGER, detail BLOB)');
      const ins = db.prepare('INSERT INTO t (at, actor, action, target_id, ok, detail) VALUES (?, ?, ?, ?, ?, ?)');
      const detail = Buffer.alloc(110, 7);
      const commit = db.transaction(() => ins.run(new Date().toISOString(), 'token:0b0e6c1c-3f0e-4a57-9d5e-2c8f1d2a7b90', 'entry.reveal', all[0].id, 1, detail));
      const per = [];
      const n = SMOKE ? 50 : 500;
      for (let r = 0; r < (SMOKE ? 1 : 5); r++) {
        const t0 = now();
        for (let i = 0; i < n; i++) commit();
        per.push((now() - t0) / n);
      }
      db.close();
      put('floor_commit_ms', per);
    }
    {
      // A bare XChaCha20-Poly1305 decrypt of a reveal-sized secret: the primitive Keyden uses
      // (node:crypto's ChaCha20-Poly1305 keyed by noble's HChaCha20), and @noble/ciphers' pure-JS one.
      const key = new Uint8Array(32).fill(7);
      const nonce = new Uint8Array(24).fill(9);
      const aad = new TextEncoder().encode(`keyden/1/entries/secret/${all[0].id}/${all[0].categoryId}`);
      const ct = xchacha20poly1305(key, nonce, aad).encrypt(new TextEncoder().encode(JSON.stringify({ value: simpleValue })));
      const n = SMOKE ? 1000 : 20_000;
      const perOp = (fn) => {
        const per = [];
        for (let r = 0; r < (SMOKE ? 1 : 5); r++) {
          const t0 = now();
          for (let i = 0; i < n; i++) fn();
          per.push(((now() - t0) * 1000) / n);
        }
        return per;
      };
      put('floor_decrypt_us', perOp(() => xchachaDecrypt(key, nonce, aad, ct)));
      put('floor_decrypt_noble_us', perOp(() => xchacha20poly1305(key, nonce, aad).decrypt(ct)));
      // What the AEAD alone costs an unlock: one bare decrypt per entry's overview.
      figures.unlock_decrypt_floor_ms = round((entryCount * figures.floor_decrypt_us) / 1000);
    }
    {
      // The unlock's other floors (docs/benchmarks.md, "eighth pass"): what format 1 read (the
      // overview column), what format 2 must read (every column a row's mac covers), and one bare
      // HMAC-SHA256 per entry over its row's canon (the core's canon: the real bytes).
      const db = new Database(vaultPath, { readonly: true, fileMustExist: true });
      const columns = db
        .pragma('table_info(entries)')
        .map((c) => c.name)
        .filter((n) => n !== 'mac');
      const overviewsOnly = db.prepare('SELECT id, overview FROM entries');
      const everyColumn = db.prepare(`SELECT ${columns.join(', ')} FROM entries`).raw();
      const macKey = new Uint8Array(32).fill(5);
      const reads1 = [];
      const reads2 = [];
      const macs = [];
      for (let r = 0; r < (SMOKE ? 1 : 7); r++) {
        let t0 = now();
        overviewsOnly.all();
        reads1.push(now() - t0);
        t0 = now();
        const rows = everyColumn.all();
        reads2.push(now() - t0);
        const canons = rows.map((row) => canon('entries', row));
        t0 = now();
        for (const c of canons) createHmac('sha256', macKey).update(c).digest();
        macs.push(now() - t0);
      }
      db.close();
      put('floor_unlock_read_overviews_ms', reads1);
      put('floor_unlock_read_rows_ms', reads2);
      put('floor_unlock_macs_ms', macs);
      // The least CPU a format 2 unlock spends beyond the KDF: every column read, every entry's mac
      // checked, every overview decrypted. Split over n cores it cannot take less than this / n.
      figures.unlock_format2_floor_ms = round(figures.floor_unlock_read_rows_ms + figures.floor_unlock_macs_ms + figures.unlock_decrypt_floor_ms);
    }

  }
  core.close();
  core = null;

  // ------------------------------------------------------------ import of a 10 000-line .env
  if (want('import')) {
    const lines = ['# a big .env, as a monorepo might have', ...Array.from({ length: IMPORT_LINES }, (_, i) => `IMPORT_VAR_${String(i + 1).padStart(5, '0')}=${fakeValue()}`)];
    const text = `${lines.join('\n')}\n`;
    const times = [];
    for (let r = 0; r < REPS; r++) {
      const copy = path.join(tmp, `import-${r}.db`);
      fs.copyFileSync(vaultPath, copy);
      // Each copy is the same vault at an older generation: on a machine of its own, or it would be a rollback.
      const c = openKeydenCore({ vaultPath: copy, unsafeTestKdf: CHEAP_KDF, knownVaultsPath: path.join(tmp, `known-import-${r}.json`) });
      await c.vault.unlock(CLI, PASSWORD);
      let summary;
      times.push(await timed(() => (summary = c.projects.importEnv(CLI, 'Import Bench', 'development', text, 'upsert'))));
      c.close();
      if (summary.imported !== IMPORT_LINES) throw new Error(`import imported ${summary.imported} of ${IMPORT_LINES}`);
      for (const f of [copy, `${copy}-wal`, `${copy}-shm`, `${copy}.lock`]) fs.rmSync(f, { force: true });
    }
    put('import_10k_ms', times);
    log(`import of ${IMPORT_LINES} lines: ${figures.import_10k_ms} ms`);
  }

  // ------------------------------------------------------------ keyden serve: unlock, RSS, HTTP
  if (want('http') || want('get')) {
    const env = { ...process.env, KEYDEN_HOME: home };
    delete env.KEYDEN_URL;
    delete env.KEYDEN_TOKEN;
    log('starting keyden serve (it upgrades the cheap-KDF vault to the default Argon2 parameters at unlock)');
    const serveStart = now();
    const serveArgs = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF), BIN] : [BIN];
    const { child: serve, match } = await startProcess(
      process.execPath,
      [...serveArgs, 'serve', '--vault', vaultPath, '--port', '0', '--password-stdin'],
      { env, cwd: tmp },
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
      `${PASSWORD}\n`,
    );
    const port = Number(match[1]);
    figures.serve_start_ms = Math.round(now() - serveStart);
    await new Promise((r) => setTimeout(r, 300));
    put('serve_rss_mb', rssMb(serve.pid));
    log(`keyden serve on port ${port}, unlocked in ${figures.serve_start_ms} ms, RSS ${figures.serve_rss_mb} MB`);
    // A consistent copy of the vault as it is now (default KDF, the audit log of its making, not
    // yet the load runs' hundred thousand reveals), for `keyden passwd --rotate-key` below.
    const rotateHome = path.join(tmp, 'rotate-home');
    fs.mkdirSync(rotateHome, { mode: 0o700 });
    const rotateVault = path.join(rotateHome, 'vault.db');
    {
      const source = new Database(vaultPath, { readonly: true, fileMustExist: true });
      await source.backup(rotateVault);
      source.close();
    }

    const auth = { authorization: `Bearer ${token}` };
    if (want('http')) {
      // GET /api/entries of all N, over HTTP, one client, the whole body read.
      {
        const runs = SMOKE ? 3 : 20;
        const res = await runLoad({ port, method: 'GET', paths: ['/api/entries'], headers: auth, concurrency: 1, requests: runs + 3, keepLatencies: true });
        put('list_10k_ms', res.latencies.slice(3));
        figures.list_10k_bytes = Math.round(res.bytes / res.requests);
      }

      // What a user waits for: POST /api/unlock → the first GET /api/entries 200 (every entry,
      // body read), with the KDF at the default parameters (serve upgraded the vault at start).
      {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const times = [];
        for (let r = 0; r < (SMOKE ? 2 : 9); r++) {
          await httpRequest(agent, port, 'POST', '/api/lock', auth, undefined, 204);
          const t0 = now();
          await httpRequest(agent, port, 'POST', '/api/unlock', auth, JSON.stringify({ password: PASSWORD }), 204);
          await httpRequest(agent, port, 'GET', '/api/entries', auth, undefined, 200);
          times.push(now() - t0);
        }
        agent.destroy();
        put('unlock_ms', times);
        if (figures.kdf_noble_ms !== undefined) figures.unlock_ratio = round(figures.unlock_ms / figures.kdf_noble_ms);
        log(`unlock over HTTP to the first list: ${figures.unlock_ms} ms (noble's KDF alone: ${figures.kdf_noble_ms ?? '-'} ms)`);
      }

      // Reveal with keep-alive against the bare node:http floor, interleaved so drift hits both alike.
      const { child: floor, match: floorMatch } = await startProcess(process.execPath, [FLOOR_SERVER], { cwd: tmp }, /^(\d+)\n/);
      const floorPort = Number(floorMatch[1]);
      const pathsFile = path.join(tmp, 'reveal-paths.json');
      fs.writeFileSync(pathsFile, JSON.stringify(shuffle(all.map((e) => `/api/entries/${e.id}/reveal`))));
      const r4 = [];
      const r32 = [];
      const f4 = [];
      const f32 = [];
      for (let r = 0; r < HTTP_REPS; r++) {
        f4.push(await runLoadOn(floor.pid, { port: floorPort, method: 'POST', paths: ['/api/entries/x/reveal'], concurrency: 4, durationMs: LOAD_MS, warmupMs: WARMUP_MS }));
        r4.push(await runLoadOn(serve.pid, { port, method: 'POST', pathsFile, headers: auth, concurrency: 4, durationMs: LOAD_MS, warmupMs: WARMUP_MS }));
        f32.push(await runLoadOn(floor.pid, { port: floorPort, method: 'POST', paths: ['/api/entries/x/reveal'], concurrency: 32, durationMs: LOAD_MS, warmupMs: WARMUP_MS }));
        r32.push(await runLoadOn(serve.pid, { port, method: 'POST', pathsFile, headers: auth, concurrency: 32, durationMs: LOAD_MS, warmupMs: WARMUP_MS }));
        log(`reveal run ${r + 1}/${HTTP_REPS}: 4 clients ${Math.round(r4.at(-1).rps)}/s (floor ${Math.round(f4.at(-1).rps)}/s), 32 clients ${Math.round(r32.at(-1).rps)}/s (floor ${Math.round(f32.at(-1).rps)}/s)`);
      }
      put('reveal_p50_ms', r4.map((x) => x.p50));
      put('reveal_p99_ms', r4.map((x) => x.p99));
      put('reveal_rps', r4.map((x) => x.rps));
      put('reveal_rps_32', r32.map((x) => x.rps));
      put('reveal_p50_ms_32', r32.map((x) => x.p50));
      put('reveal_p99_ms_32', r32.map((x) => x.p99));
      put('floor_http_rps', f4.map((x) => x.rps));
      put('floor_http_rps_32', f32.map((x) => x.rps));
      put('floor_http_p50_ms', f4.map((x) => x.p50));
      put('floor_http_p99_ms', f4.map((x) => x.p99));
      put('reveal_cpu_us', r32.map((x) => x.cpuUsPerRequest));
      put('floor_http_cpu_us', f32.map((x) => x.cpuUsPerRequest));
      figures.reveal_ratio = round(figures.reveal_rps / figures.floor_http_rps);
      figures.reveal_ratio_32 = round(figures.reveal_rps_32 / figures.floor_http_rps_32);
      put('serve_rss_loaded_mb', rssMb(serve.pid));

      floor.kill('SIGTERM');
    }
    // ------------------------------------------------------------ keyden get against node -e 0
    if (want('get')) {
      const getEnv = { ...env, KEYDEN_TOKEN: token };
      // By reference (Category/Project/env: one lookup of the project, then the reveal), as people
      // type it; and by id (the reveal alone).
      const ref = `${simple.category.name}/${simple.name}/${simple.environment}`;
      const gets = [];
      const getsById = [];
      const nodes = [];
      const runs = SMOKE ? 2 : 15;
      const wall = (cmd, args, opts) => {
        const t0 = now();
        const r = spawnSync(cmd, args, { timeout: 30_000, encoding: 'utf8', ...opts });
        return { ms: now() - t0, r };
      };
      for (let i = 0; i < runs + 1; i++) {
        const g = wall(BIN, ['get', ref], { env: getEnv });
        if (g.r.status !== 0 || g.r.stdout !== `${simpleValue}\n`) throw new Error(`keyden get failed (${g.r.status}): ${g.r.stderr.trim()}`);
        const gi = wall(BIN, ['get', simple.id], { env: getEnv });
        if (gi.r.status !== 0 || gi.r.stdout !== `${simpleValue}\n`) throw new Error(`keyden get <id> failed (${gi.r.status}): ${gi.r.stderr.trim()}`);
        const n = wall(process.execPath, ['-e', '0'], {});
        if (n.r.status !== 0) throw new Error('node -e 0 failed');
        if (i === 0) continue; // the first of each warms the file cache
        gets.push(g.ms);
        getsById.push(gi.ms);
        nodes.push(n.ms);
      }
      put('get_ms', gets);
      put('get_id_ms', getsById);
      put('node_e0_ms', nodes);
      figures.get_ratio = round(figures.get_ms / figures.node_e0_ms);
    }

    // Stop the servers; serve writes its CPU profile (if asked) on a clean exit.
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));

    // The command a user runs: `keyden passwd --rotate-key` on the whole vault (the copy above, at
    // the default Argon2 parameters serve upgraded it to): process start, unlock, the rotation and its KDF.
    if (want('http')) {
      const rotations = [];
      const rotateEnv = { ...env, KEYDEN_HOME: rotateHome };
      for (let r = 0; r < REPS; r++) {
        const t0 = now();
        const rot = spawnSync(BIN, ['passwd', '--rotate-key', '--vault', rotateVault, '--password-stdin'], { env: rotateEnv, input: `${PASSWORD}\n`, timeout: 60_000, encoding: 'utf8' });
        if (rot.status !== 0 || !rot.stdout.startsWith('Vault key rotated')) throw new Error(`keyden passwd --rotate-key failed (${rot.status}): ${rot.stderr.trim()}`);
        rotations.push(now() - t0);
      }
      put('rotate_cli_ms', rotations);
      log(`keyden passwd --rotate-key (the bin, default KDF): ${figures.rotate_cli_ms} ms`);
    }
  }
  // ------------------------------------------------------------ keyden get VAR --project P: 10 vs 10 000 entries
  if (want('getref')) {
    // Its own vault and owner: a 10-entry project beside a 10 000-entry one (DESIGN §9: any ref
    // costs the same in both, the owner filters by project and variable).
    const refHome = path.join(tmp, 'getref');
    fs.mkdirSync(refHome, { mode: 0o700 });
    const refVault = path.join(refHome, 'vault.db');
    const bigCount = SMOKE ? 200 : 10_000;
    const lines = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(5, '0')}=${fakeValue()}`).join('\n');
    const refCore = openKeydenCore({ vaultPath: refVault, unsafeTestKdf: CHEAP_KDF, knownVaultsPath });
    await refCore.vault.create(CLI, PASSWORD);
    refCore.projects.importEnv(CLI, 'Small Ref', 'development', lines('SMALL_VAR', 10), 'upsert');
    refCore.projects.importEnv(CLI, 'Big Ref', 'development', lines('BIG_VAR', bigCount), 'upsert');
    const refToken = refCore.tokens.create(CLI, { name: 'bench', scopes: ['entries:read', 'entries:reveal'], projects: null, environments: null }).secret;
    const expected = {
      small: (await refCore.entries.reveal(APP, refCore.entries.list(APP, { project: 'Small Ref', variable: 'SMALL_VAR_00005' }).items[0].id)).value,
      big: (await refCore.entries.reveal(APP, refCore.entries.list(APP, { project: 'Big Ref', variable: `BIG_VAR_${String(bigCount / 2).padStart(5, '0')}` }).items[0].id)).value,
    };
    refCore.close();
    const refEnv = { ...process.env, KEYDEN_HOME: refHome, KEYDEN_TOKEN: refToken };
    delete refEnv.KEYDEN_URL;
    const { child: refServe } = await startProcess(process.execPath, [BIN, 'serve', '--vault', refVault, '--port', '0', '--password-stdin'], { env: refEnv, cwd: tmp }, /listening on http:\/\/127\.0\.0\.1:(\d+)/, `${PASSWORD}\n`);
    const small = [];
    const big = [];
    const getRef = (variable, project, want) => {
      const t0 = now();
      const r = spawnSync(BIN, ['get', variable, '--project', project, '--env', 'development'], { timeout: 30_000, encoding: 'utf8', env: refEnv });
      if (r.status !== 0 || r.stdout !== `${want}\n`) throw new Error(`keyden get ${variable} --project ${project} failed (${r.status}): ${r.stderr.trim()}`);
      return now() - t0;
    };
    const runs = SMOKE ? 2 : 15;
    for (let i = 0; i < runs + 1; i++) {
      const s = getRef('SMALL_VAR_00005', 'Small Ref', expected.small);
      const b = getRef(`BIG_VAR_${String(bigCount / 2).padStart(5, '0')}`, 'Big Ref', expected.big);
      if (i === 0) continue; // the first of each warms the file cache
      small.push(s);
      big.push(b);
    }
    put('get_ref_small_ms', small);
    put('get_ref_10k_ms', big);
    refServe.kill('SIGTERM');
    await new Promise((r) => refServe.once('exit', r));
  }
  figures.bench_total_s = Math.round((now() - started) / 100) / 10;
} catch (e) {
  log(`failed: ${e && e.stack ? e.stack : e}`);
  exitCode = 1;
} finally {
  kids.killAll();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const machine = {
  nproc: os.availableParallelism?.() ?? os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${os.release()}`,
  loadavg_1m: Math.round(os.loadavg()[0] * 100) / 100,
  loadavg_1m_at_start: Math.round(loadAtStart * 100) / 100,
};
{
  // Over the whole run: the share of the machine's CPU time in use (this run included) and stolen by the hypervisor.
  const end = cpuCounters();
  if (countersAtStart && end) {
    const busy = end.busy - countersAtStart.busy;
    const idle = end.idle - countersAtStart.idle;
    const steal = end.steal - countersAtStart.steal;
    const total = busy + idle + steal;
    if (total > 0) {
      machine.cpu_busy_pct = Math.round((1000 * busy) / total) / 10;
      machine.cpu_steal_pct = Math.round((1000 * steal) / total) / 10;
    }
  }
}

if (exitCode === 0) {
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ ...figures, machine })}\n`);
  else printTable();
}
process.exit(exitCode);

function printTable() {
  const rows = [
    [`KDF (Argon2id m=64 MiB t=3 p=1, ${figures.kdf_backend})`, 'kdf_ms', 'ms', ''],
    ['  the same with noble (the fallback)', 'kdf_noble_ms', 'ms', ''],
    ['unlock overhead beyond the KDF', 'unlock_overhead_ms', 'ms', '≤ 100'],
    [`unlock over HTTP: POST /api/unlock → first GET /api/entries (${figures.entries})`, 'unlock_ms', 'ms', '≤ 0.25 × noble KDF'],
    ['search as you type (in memory)', 'search_ms', 'ms', '≤ 5'],
    [`GET /api/entries (all ${figures.entries})`, 'list_10k_ms', 'ms', '≤ 60'],
    ['reveal p50, 4 clients', 'reveal_p50_ms', 'ms', '≤ 1'],
    ['reveal p99, 4 clients', 'reveal_p99_ms', 'ms', ''],
    ['reveal, 4 clients', 'reveal_rps', 'req/s', '≥ 5000'],
    ['reveal, 32 clients', 'reveal_rps_32', 'req/s', '≥ 15000'],
    ['floor: bare node:http, 4 clients', 'floor_http_rps', 'req/s', ''],
    ['floor: bare node:http, 32 clients', 'floor_http_rps_32', 'req/s', ''],
    ['server CPU per reveal (32 clients)', 'reveal_cpu_us', 'µs', ''],
    ['server CPU per floor request (32 clients)', 'floor_http_cpu_us', 'µs', ''],
    ['floor: durable SQLite commit (WAL, synchronous=FULL)', 'floor_commit_ms', 'ms', ''],
    ['floor: better-sqlite3 read', 'floor_sqlite_read_us', 'µs', ''],
    ['floor: xchacha20poly1305 decrypt (node:crypto + HChaCha)', 'floor_decrypt_us', 'µs', ''],
    ['  the same with @noble/ciphers (pure JS)', 'floor_decrypt_noble_us', 'µs', ''],
    ['floor: unlock reads, the overview column alone (format 1)', 'floor_unlock_read_overviews_ms', 'ms', ''],
    ['floor: unlock reads, every column a mac covers (format 2)', 'floor_unlock_read_rows_ms', 'ms', ''],
    ['floor: one HMAC-SHA256 per entry (format 2)', 'floor_unlock_macs_ms', 'ms', ''],
    [`export of a ${EXPORT_VARS}-variable project`, 'export_200_ms', 'ms', '≤ 20'],
    ['keyden verify (every row of every table)', 'verify_10k_ms', 'ms', ''],
    ['keyden passwd --rotate-key (whole vault, in-process)', 'rotate_10k_ms', 'ms', ''],
    ['  the command itself (bin, default KDF: start, unlock, rotation)', 'rotate_cli_ms', 'ms', '≤ 2000'],
    [`import of a ${IMPORT_LINES}-line .env`, 'import_10k_ms', 'ms', '≤ 1500'],
    ['keyden get Category/Project/env', 'get_ms', 'ms', '≤ 1.5 × node -e 0'],
    ['keyden get <id>', 'get_id_ms', 'ms', ''],
    ['keyden get VAR --project (10 entries)', 'get_ref_small_ms', 'ms', ''],
    ['keyden get VAR --project (10 000 entries)', 'get_ref_10k_ms', 'ms', '≈ the 10-entry figure'],
    ['node -e 0', 'node_e0_ms', 'ms', ''],
    ['keyden serve RSS, unlocked', 'serve_rss_mb', 'MB', '≤ 150'],
  ];
  const lines = [`| figure | median | min | max | unit | target |`, `|---|---|---|---|---|---|`];
  for (const [label, key, unit, target] of rows) {
    if (figures[key] === undefined) continue; // a part left out with --only
    lines.push(`| ${label} | ${figures[key]} | ${figures[`${key}_min`]} | ${figures[`${key}_max`]} | ${unit} | ${target} |`);
  }
  lines.push('');
  lines.push(`unlock_ms / kdf_noble_ms: ${figures.unlock_ratio} (target ≤ 0.25)`);
  if (figures.unlock_format2_floor_ms !== undefined) {
    lines.push(`unlock overhead ${figures.unlock_overhead_ms} ms against format 2's floor of ${figures.unlock_format2_floor_ms} ms of CPU (reads + macs + decrypts; ${figures.unlock_decrypt_floor_ms} ms of it decrypts)`);
  }
  lines.push(`reveal/floor: ${figures.reveal_ratio} (4 clients), ${figures.reveal_ratio_32} (32 clients); keyden get / node -e 0: ${figures.get_ratio}`);
  lines.push(
    `machine: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, load ${machine.loadavg_1m_at_start} → ${machine.loadavg_1m}, CPU busy ${machine.cpu_busy_pct} %, steal ${machine.cpu_steal_pct} %; ${figures.entries} entries; ${figures.bench_total_s} s in all`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
