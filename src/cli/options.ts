// Commander (loaded with require) and the option parsers and help helpers the commands share.
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';

// require() skips the ESM loader's CommonJS export analysis of commander: ~10 ms of every start.
export const commander = createRequire(import.meta.url)('commander') as typeof CommanderModule;
export type Command = CommanderModule.Command;

/** Wraps a command's lazily imported implementation; its exit code goes to the sink. */
export type Act = <A extends unknown[]>(load: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

export const ENV_HELP = 'environment: development, staging, production or a custom slug';

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new commander.InvalidArgumentError('a port is a number from 0 to 65535');
  return Number(value);
}

export function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new commander.InvalidArgumentError('must be a whole number above 0');
  return Number(value);
}

export function parseCount(value: string): string {
  if (!/^\d+$/.test(value)) throw new commander.InvalidArgumentError('must be a whole number');
  return value;
}
