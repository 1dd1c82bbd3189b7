// The README's headless quick start, pasted into a shell as a newcomer would: its two blocks run
// by bash on a terminal of their own (util-linux `script` gives them one, so the master-password
// prompts are answered as typed), with `keyden` on PATH the way `npm link` puts it there, in a
// fresh HOME with no KEYDEN_HOME (so the default ~/.config/keyden). One change only: `keyden
// serve` gets `--port 0`, since 17321 may be taken on a test machine; the CLI talks to the owner
// over its socket, so nothing in the second terminal depends on the port. The API quick start
// follows, its curl lines pointed at that port.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, ROOT, tempDir } from './helpers.js';

const PASSWORD = 'quick start horse battery staple';
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The lines of the README's ```sh block that follows `heading`. */
function blockAfter(heading: string): string[] {
  const at = README.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`README.md has no "${heading}" line`);
  const start = README.indexOf('```sh\n', at) + '```sh\n'.length;
  return README.slice(start, README.indexOf('\n```', start)).split('\n');
}

/** The lines of the README's headless block after `# <label>` and before the next comment line or the block's end. */
function terminalBlock(label: string): string[] {
  const start = README.indexOf(`# ${label}\n`);
  if (start < 0) throw new Error(`README.md has no "# ${label}" line`);
  const lines: string[] = [];
  for (const line of README.slice(start).split('\n').slice(1)) {
    if (line.startsWith('```') || line.startsWith('# ')) break;
    lines.push(line);
  }
  return lines;
}

let tmp = '';
let env: Record<string, string> = {};
const running: ChildProcess[] = [];

/**
 * Runs `script` (a shell script) on a pseudo-terminal, answering each "Master password" prompt
 * when it appears. Resolves with the terminal's output once `until` matches it, or when the
 * shell exits; each run is bounded by `timeoutMs`.
 */
function onTerminal(script: string, options: { until?: RegExp; timeoutMs?: number } = {}): Promise<{ output: string; code: number | null; child: ChildProcess }> {
  const file = path.join(tmp, `block-${running.length}.sh`);
  fs.writeFileSync(file, `${script}\n`);
  // -q: no banner; -e: the shell's exit code; -f: flush at once; the typescript goes nowhere.
  const child = spawn('script', ['-qefc', `bash -e ${file}`, '/dev/null'], { cwd: path.join(tmp, 'work'), env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    let answered = 0;
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`the block did not finish within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const done = (code: number | null): void => {
      clearTimeout(timer);
      resolve({ output: output.replace(/\r\n/g, '\n'), code, child });
    };
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      const prompts = output.match(/Master password[^:\n]*: /g)?.length ?? 0;
      for (; answered < prompts; answered++) child.stdin!.write(`${PASSWORD}\n`);
      if (options.until?.test(output.replace(/\r\n/g, '\n'))) done(null);
    });
    child.on('error', reject);
    child.on('close', (code) => done(code));
  });
}

beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('keyden-readme-');
  for (const dir of ['home', 'bin', 'work']) fs.mkdirSync(path.join(tmp, dir), { mode: 0o700 });
  // What `npm link` makes: `keyden` on PATH, a link to the checkout's bin.
  fs.symlinkSync(BIN, path.join(tmp, 'bin', 'keyden'));
  env = {
    PATH: [path.join(tmp, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
    HOME: path.join(tmp, 'home'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
  };
});

/** Stops a terminal's process group (Ctrl+C's signal) and waits for it, SIGKILL after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
  await closed;
  clearTimeout(timer);
}

afterAll(async () => {
  for (const child of running) await stop(child);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the README's headless quick start", () => {
  it('works as written in two terminals: init and serve in one, a token, an import, get, export and run in the other; then the API quick start with curl', async () => {
    const first = terminalBlock('terminal 1');
    const second = terminalBlock('terminal 2');
    expect(first.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['keyden init', 'keyden serve']);
    expect(second[0]).toMatch(/^export KEYDEN_TOKEN=\$\(keyden token create /);

    const init = await onTerminal(first[0]!);
    expect(init.code, init.output).toBe(0);
    expect(init.output).toContain(`Created a vault with 12 preset categories at ${path.join(tmp, 'home', '.config', 'keyden', 'vault.db')}`);

    const serving = await onTerminal(`${first[1]!} --port 0`, { until: /Keyden API listening on http:\/\/127\.0\.0\.1:\d+\n/ });
    expect(serving.output).toMatch(/Keyden API listening on/);

    const shell = await onTerminal(second.join('\n'));
    expect(shell.code, shell.output).toBe(0);
    const lines = shell.output.split('\n');
    expect(lines).toContain('Imported 3, updated 0, skipped 0, failed 0');
    // get by reference, then by variable name
    expect(lines).toContain('sk-demo-123');
    expect(lines).toContain('debug');
    // export: the header, then every variable of the project, sorted
    const header = lines.findIndex((l) => l.startsWith('# Keyden export: project "Demo", environment "development"'));
    expect(header, shell.output).toBeGreaterThanOrEqual(0);
    expect(lines.slice(header + 1, header + 4)).toEqual(['LOG_LEVEL=debug', 'OPENAI_API_KEY=sk-demo-123', 'STRIPE_SECRET_KEY=sk_test_456']);
    // run: the child got the value; on a terminal keyden conceals it in the child's output
    expect(lines[header + 4]).toBe('<concealed by keyden>');
    expect(fs.existsSync(path.join(tmp, 'work', 'demo.env'))).toBe(false);

    // The API quick start, after it, against the same owner. Its `<id>` is one the reader copies
    // from the list; here the first curl's list gives it, and the owner's real port replaces 17321.
    const url = /Keyden API listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serving.output)![1]!;
    const api = blockAfter('## API quick start');
    expect(api[0]).toMatch(/^TOKEN=\$\(keyden token create /);
    expect(api.filter((l) => l.includes('<id>'))).toHaveLength(1);
    const openaiId = `$(curl -s -H @<(printf 'Authorization: Bearer %s\\n' "$TOKEN") "${url}/api/entries?project=Demo" | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(j.find((e) => e.category.envVarName === "OPENAI_API_KEY").id)')`;
    const curl = await onTerminal(api.map((l) => l.replaceAll('http://127.0.0.1:17321', url).replace('<id>', openaiId)).join('\n'));
    expect(curl.code, curl.output).toBe(0);
    // curl -s prints each body as it comes, without a newline: the list, the value, the .env.
    const bodies = curl.output.slice(curl.output.indexOf('['));
    const listEnd = bodies.indexOf(']{') + 1;
    const envAt = bodies.indexOf('# Keyden export');
    expect(listEnd, curl.output).toBeGreaterThan(0);
    expect((JSON.parse(bodies.slice(0, listEnd)) as { name: string }[]).map((e) => e.name)).toEqual(['Demo', 'Demo', 'Demo']);
    expect(JSON.parse(bodies.slice(listEnd, envAt))).toMatchObject({ name: 'Demo', environment: 'development', value: 'sk-demo-123' });
    expect(bodies.slice(envAt).split('\n').slice(1, 4)).toEqual(['LOG_LEVEL=debug', 'OPENAI_API_KEY=sk-demo-123', 'STRIPE_SECRET_KEY=sk_test_456']);

    await stop(serving.child);
    expect(fs.existsSync(path.join(tmp, 'home', '.config', 'keyden', 'keyden.sock'))).toBe(false);
  }, 120_000);
});
