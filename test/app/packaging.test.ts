// electron-builder.yml, read as text (packaging itself needs an Electron download): the fuses of
// DESIGN §4 "The shell" and what the installed `keyden` launcher needs unpacked.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const yml = fs.readFileSync('electron-builder.yml', 'utf8');
const section = (name: string): string => new RegExp(`^${name}:\\n((?:[ ]+.*\\n|\\n)*)`, 'm').exec(yml)?.[1] ?? '';

describe('the packaged app', () => {
  it('turns the RunAsNode fuse off, and inspect arguments and NODE_OPTIONS with it', () => {
    const fuses = section('electronFuses');
    expect(fuses).toMatch(/^\s+runAsNode: false$/m);
    expect(fuses).toMatch(/^\s+enableNodeCliInspectArguments: false$/m);
    expect(fuses).toMatch(/^\s+enableNodeOptionsEnvironmentVariable: false$/m);
    expect(fuses).toMatch(/^\s+onlyLoadAppFromAsar: true$/m);
  });

  it('unpacks the CLI, the compiled core and node_modules for the launcher that runs them with the system Node', () => {
    const unpacked = section('asarUnpack');
    for (const glob of ['bin/**', 'build/**', 'package.json', 'node_modules/**', '"**/*.node"']) expect(unpacked).toContain(`- ${glob}`);
    expect(section('files')).not.toContain('!node_modules/better-sqlite3/build/**');
  });
});
