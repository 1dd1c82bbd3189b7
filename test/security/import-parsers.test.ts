// Review 3: an `entries:write` token stalling the owner with a 1 MiB import its parsers take
// quadratic time over, or answering it with warnings many times its size.
import { describe, expect, it } from 'vitest';
import { dotenvReport, parseDotenv, parseJsonImport } from '../../src/main/services/envfile.js';

const MiB = 1024 * 1024;
const lines = (line: string): string => line.repeat(Math.floor(MiB / line.length));
/** Minutes on a quadratic parser, well under a second on a linear one. */
const GENEROUS = 20_000;

describe('a 1 MiB dotenv import', () => {
  it('of one key set on every line parses, and says so listing its first 20 lines and how many more', { timeout: GENEROUS }, () => {
    const text = lines('A=\n');
    const count = text.length / 3;
    expect(parseDotenv(text)).toEqual([{ name: 'A', value: '', line: count }]);
    const list = Array.from({ length: 20 }, (_, i) => i + 1).join(', ');
    expect(dotenvReport(text).warnings).toEqual([`A set ${count} times (lines ${list} and ${count - 20} more): kept the last`]);
  });

  it('of blank lines, then a line without `=`, then a key parses, finding the key on its line', { timeout: GENEROUS }, () => {
    const blank = lines(' \n');
    const text = `${blank}x\nA=1\n`;
    const x = blank.length / 2 + 1;
    expect(parseDotenv(text)).toEqual([{ name: 'A', value: '1', line: x + 1 }]);
    expect(dotenvReport(text).warnings).toEqual([`ignored line ${x} (no \`=\`)`]);
  });

  it('of lines without `=` gives 20 warnings and one counting the rest', { timeout: GENEROUS }, () => {
    const text = lines('x\n');
    const warnings = dotenvReport(text).warnings;
    expect(warnings.slice(0, 2)).toEqual(['ignored line 1 (no `=`)', 'ignored line 2 (no `=`)']);
    expect(warnings.slice(20)).toEqual([`and ${text.length / 2 - 20} more ignored lines`]);
  });

  it('of lines whose `#` starts a comment gives 20 warnings and one counting the rest', { timeout: GENEROUS }, () => {
    const text = lines('A=1#x\n');
    const warnings = dotenvReport(text).warnings;
    expect(warnings[0]).toBe('A (line 1): `#` started a comment; quote the value if it belongs to it');
    expect(warnings).toHaveLength(22);
    expect(warnings.at(-2)).toBe(`and ${text.length / 6 - 20} more lines where \`#\` started a comment`);
    expect(JSON.stringify(warnings).length).toBeLessThan(4096);
  });
});

describe('a 1 MiB JSON import', () => {
  it('of keys written with escapes parses, giving each key its line', { timeout: GENEROUS }, () => {
    const members: string[] = [];
    for (let size = 2; size < MiB - 64; size += members.at(-1)!.length + 2) members.push(`"K\\u0030${members.length}": "v"`);
    const vars = parseJsonImport(`{\n${members.join(',\n')}\n}\n`);
    expect(vars).toHaveLength(members.length);
    expect(vars.every((v, i) => v.name === `K0${i}` && v.line === i + 2)).toBe(true);
  });

  it('gives a repeated key the line of its last member, whose value it keeps, not of a value that looks like it', () => {
    expect(parseJsonImport('{\n"B": {"value": "A"},\n"A": "1",\n"A": "2"\n}')).toEqual([
      { name: 'B', value: 'A', line: 2 },
      { name: 'A', value: '2', line: 4 },
    ]);
  });
});

