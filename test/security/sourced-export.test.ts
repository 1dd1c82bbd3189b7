// Review 18: a token that may only write one project's variables (a CI token, no entries:reveal)
// planting a value that runs a command when the user's shell sources the exported .env
// (`set -a; . ./.env`). The .env is written for dotenv (DESIGN §4: exact for dotenv.parse); a value
// with a carriage return can only be written there in double quotes, where a shell expands `$(…)`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { keyden, tempDir } from '../cli/helpers.js';
import { ownerWithPlanted } from './helpers.js';
import { dotenvLine, shellReadsAsText } from '../../src/main/services/envfile.js';

describe('keyden export of a value a shell would run', () => {
  it('warns, naming the variable and never its value, when a shell sourcing the .env would run or expand a value (a CR beside $(…)), and the file stays exact for dotenv', async () => {
    const dir = tempDir('keyden-sourced-');
    const marker = path.join(dir, 'ran');
    const planted = `harmless\r$(touch ${marker})`;
    const { owner, user } = await ownerWithPlanted(JSON.stringify({ DB_PASSWORD: planted, PLAIN_KEY: 'sk-1', SPACED: 'a b $(touch x)' }), 'json');
    const file = path.join(dir, '.env');
    const r = await keyden(owner.home, ['export', '--project', 'alpha', '--env', 'development', '-o', file], { env: { KEYDEN_TOKEN: user } });
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(dotenv.parse(text)).toMatchObject({ DB_PASSWORD: planted, PLAIN_KEY: 'sk-1', SPACED: 'a b $(touch x)' });
    const warning = r.stderr.split('\n').find((l) => l.startsWith('keyden: warning:'));
    expect(warning, r.stderr).toContain('DB_PASSWORD');
    expect(warning).toContain('--format shell');
    // Single-quoted values are read as text by a shell: not named.
    expect(warning).not.toContain('SPACED');
    expect(warning).not.toContain('PLAIN_KEY');
    expect(r.stderr).not.toContain('harmless');
    expect(r.stderr).not.toContain(marker);
    // The warning is true: sourced, the file runs the planted command.
    spawnSync('bash', ['--norc', '--noprofile', '-c', `set -a; . ${JSON.stringify(file)}`], { env: {}, stdio: 'ignore' });
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('says nothing when every value of the .env is read as text by a shell', async () => {
    const { owner, user } = await ownerWithPlanted(JSON.stringify({ A: "it's fine", B: '$(not run)', C: 'cr\ronly' }), 'json');
    const r = await keyden(owner.home, ['export', '--project', 'alpha', '--env', 'development'], { env: { KEYDEN_TOKEN: user } });
    expect(r.code, r.stderr).toBe(0);
    expect(dotenv.parse(r.stdout)).toMatchObject({ A: "it's fine", B: '$(not run)', C: 'cr\ronly' });
    expect(r.stderr).not.toContain('warning');
  });
});

describe('shellReadsAsText', () => {
  it('is true only of values whose .env line bash sources without running anything, over 400 seeded values of shell syntax', () => {
    const dir = tempDir('keyden-sourced-');
    const alphabet = ['a', ' ', '#', "'", '"', '`', '\\', '\n', '\r', '$', '(', ')', ';', '=', 'n', '|', '&', '<', '>', '*', '~', '{', '}'];
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const lines: string[] = [];
    let text = 0;
    // Hand-picked: one for each form a shell would run (backtick form; bare with a trailing backslash; double quotes beside a CR).
    const picked = [`it's "quoted" $ ;`, `x; touch $ \\`, `cr\r$ and it's`, `all ' " \` ; touch $`];
    for (let i = 0; i < 400 + picked.length; i++) {
      let value = picked[i - 400] ?? '';
      if (i < 400) for (let j = 1 + (next() % 9); j > 0; j--) value += alphabet[next() % alphabet.length];
      // A third without backticks or CRs, so that the backtick form is among them.
      if (i % 3 === 0 && i < 400) value = value.replace(/[`\r]/g, '');
      // Each value may try to touch its own marker; only those called text are sourced.
      value = value.replace('$', `$(touch ${dir}/ran-${i})`).replace('`', `\`touch ${dir}/ran-${i}\``);
      const line = dotenvLine(`V${i}`, value);
      if (line === null || !shellReadsAsText(value)) continue;
      text++;
      lines.push(line);
    }
    expect(text).toBeGreaterThan(200);
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `set -a\n${lines.join('\n')}\n`], { env: {}, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('ran-'))).toEqual([]);
  });
});
