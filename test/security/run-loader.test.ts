// Review 2: a token that may only write one project's variables (a CI token, no entries:reveal)
// turning that into running its code as the user, through `keyden run`'s child environment.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyden, tempDir } from '../cli/helpers.js';
import { ownerWithPlanted } from './helpers.js';

async function planted(variable: (payload: string) => string) {
  const dir = tempDir('keyden-run-loader-');
  const marker = path.join(dir, 'ran');
  const payload = path.join(dir, 'payload.cjs');
  fs.writeFileSync(payload, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  const { owner, user } = await ownerWithPlanted(`${variable(payload)}\n`);
  return { owner, dir, marker, user };
}

describe('keyden run and variables that decide what code runs', () => {
  it("does not run a command with NODE_OPTIONS that a project-limited write token put in the project, and says how to allow it", async () => {
    const { owner, marker, user } = await planted((payload) => `NODE_OPTIONS=--require ${payload}`);
    const r = await keyden(owner.home, ['run', '--project', 'alpha', '--', process.execPath, '-e', 'process.exit(0)'], { env: { KEYDEN_TOKEN: user } });
    expect(fs.existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NODE_OPTIONS');
    expect(r.stderr).toContain('--allow-env NODE_OPTIONS');
    expect(r.stderr).not.toContain('--require');
    // The user who wants it says so.
    const allowed = await keyden(owner.home, ['run', '--project', 'alpha', '--allow-env', 'NODE_OPTIONS', '--', process.execPath, '-e', 'process.exit(0)'], { env: { KEYDEN_TOKEN: user } });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('refuses PATH, LD_PRELOAD, BASH_ENV and KEYDEN_HOME from the vault alike, naming each, and runs nothing', async () => {
    const { owner, dir, user } = await planted(() => ['PATH=/tmp/evil-bin', 'LD_PRELOAD=/tmp/evil.so', 'BASH_ENV=/tmp/evil.sh', 'KEYDEN_HOME=/tmp/evil-home'].join('\n'));
    const touched = path.join(dir, 'touched');
    const r = await keyden(owner.home, ['run', '--project', 'alpha', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(touched)}, '')`], { env: { KEYDEN_TOKEN: user } });
    expect(r.code).toBe(2);
    for (const name of ['PATH', 'LD_PRELOAD', 'BASH_ENV', 'KEYDEN_HOME']) expect(r.stderr).toContain(name);
    expect(fs.existsSync(touched)).toBe(false);
  });

  it("refuses npm's pass-through of NODE_OPTIONS (npm_config_node_options, any case) and the commands git, less and editors run (GIT_SSH, LESSOPEN, EDITOR)", async () => {
    const { owner, marker, user } = await planted((payload) => [`npm_config_node_options=--require ${payload}`, `NPM_CONFIG_SCRIPT_SHELL=/tmp/evil-shell`, 'GIT_SSH=/tmp/evil-ssh', `LESSOPEN=|touch /tmp/evil %s`, 'EDITOR=/tmp/evil-editor'].join('\n'));
    // What npm does with it: its child node processes get the option (npm 7+ passes npm_config_node_options on).
    const r = await keyden(owner.home, ['run', '--project', 'alpha', '--', process.execPath, '-e', `process.env.npm_config_node_options && require('child_process').execFileSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: process.env.npm_config_node_options } })`], {
      env: { KEYDEN_TOKEN: user },
    });
    expect(r.code).toBe(2);
    for (const name of ['npm_config_node_options', 'NPM_CONFIG_SCRIPT_SHELL', 'GIT_SSH', 'LESSOPEN', 'EDITOR']) expect(r.stderr).toContain(name);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('gives the command a variable named __proto__ like any other, from the project and from an --env-file', async () => {
    const { owner, dir, user } = await planted(() => '__proto__=from-the-vault');
    const envFile = path.join(dir, '.env.local');
    fs.writeFileSync(envFile, '__proto__=from-the-file\n');
    const show = [process.execPath, '-e', 'process.stdout.write(String(Object.getOwnPropertyDescriptor(process.env, "__proto__")?.value))'];
    const fromProject = await keyden(owner.home, ['run', '--project', 'alpha', '--', ...show], { env: { KEYDEN_TOKEN: user } });
    expect(fromProject.code, fromProject.stderr).toBe(0);
    expect(fromProject.stdout).toBe('from-the-vault');
    const fromFile = await keyden(owner.home, ['run', '--project', 'alpha', '--env-file', envFile, '--', ...show], { env: { KEYDEN_TOKEN: user } });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toBe('from-the-file');
  });

  it("takes such a variable from the user's own --env-file, which the vault cannot write", async () => {
    const { owner, dir, user } = await planted(() => 'PLAIN_SETTING=1');
    const envFile = path.join(dir, '.env.local');
    fs.writeFileSync(envFile, 'NODE_OPTIONS=--max-old-space-size=256\n');
    const r = await keyden(owner.home, ['run', '--project', 'alpha', '--env-file', envFile, '--', process.execPath, '-e', 'process.stdout.write(process.env.NODE_OPTIONS + " " + process.env.PLAIN_SETTING)'], {
      env: { KEYDEN_TOKEN: user },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('--max-old-space-size=256 1');
  });
});
