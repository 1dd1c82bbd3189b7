// Reading secrets and answers from stdin: exact bytes from a pipe, no echo on a terminal.
import { createReadStream } from 'node:fs';
import { CliError, EXIT } from './errors.js';

/** The most a file or stdin read for one request may hold: the API takes at most 1 MiB a body. */
export const MAX_INPUT_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array, what = 'stdin'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CliError(`${what} is not valid UTF-8`, EXIT.USAGE);
  }
}

/** Drops one final `\n` or `\r\n` (a piped value's line end), nothing else. */
export function dropFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Splits off the first line: its `\n` or `\r\n` removed, nothing else stripped. */
export function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : dropFinalNewline(text.slice(0, end + 1));
}

/** All of stdin, refused past `limit` bytes (`… < /dev/zero` never ends). */
export function readAllStdin(limit = MAX_INPUT_BYTES): Promise<Buffer> {
  return readBounded(process.stdin, limit, 'stdin');
}

/**
 * A file whole, refused past `limit` bytes. Read as a stream, so a FIFO (`<(command)`) works and a
 * device that never ends (`/dev/zero`) is refused once it passes the limit, not read forever.
 */
export function readInputFile(file: string, limit = MAX_INPUT_BYTES): Promise<Buffer> {
  return readBounded(createReadStream(file), limit, file);
}

async function readBounded(stream: AsyncIterable<Buffer | string>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    // Leaving the loop destroys the stream: nothing more is read.
    if (size > limit) throw new CliError(`${what} is larger than ${limit / (1024 * 1024)} MiB, the most the API takes; nothing was sent`, EXIT.ERROR);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads up to `count` lines and stops reading (stdin may stay open, as for `serve`).
 * Each line loses its `\n` or `\r\n`; a last line without one counts too. Null once stdin ended.
 */
export function readStdinLines(count: number): Promise<(string | null)[]> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = (ended: boolean): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      const lines: (string | null)[] = [];
      let rest = buffered;
      for (let i = 0; i < count; i++) {
        const nl = rest.indexOf(0x0a);
        if (nl === -1) {
          lines.push(ended && rest.length > 0 ? decodeUtf8(rest) : null);
          rest = Buffer.alloc(0);
        } else {
          lines.push(dropFinalNewline(decodeUtf8(rest.subarray(0, nl + 1))));
          rest = rest.subarray(nl + 1);
        }
      }
      resolve(lines);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      let newlines = 0;
      for (const byte of buffered) if (byte === 0x0a) newlines++;
      if (newlines >= count) {
        try {
          finish(false);
        } catch (e) {
          reject(e as Error);
        }
      }
    };
    const onEnd = (): void => {
      try {
        finish(true);
      } catch (e) {
        reject(e as Error);
      }
    };
    const onError = (e: Error): void => reject(e);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/** Asks on the terminal (prompt on stderr) without echoing what is typed. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError('no terminal to ask on: pipe the input and use --password-stdin', EXIT.USAGE);
  // Echo goes off before the prompt shows: whatever is typed after it is never echoed.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new CliError('cancelled', 130));
          return;
        }
        if (ch === '\u0004') {
          done();
          if (value === '') reject(new CliError('cancelled', EXIT.ERROR));
          else resolve(value);
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * The master password: `--password-stdin` takes the first line of stdin; otherwise the terminal
 * is asked without echo. Never an argument or an environment variable.
 */
export async function readPassword(passwordStdin: boolean | undefined, prompt = 'Master password: '): Promise<string> {
  if (passwordStdin) {
    const [line] = await readStdinLines(1);
    if (line === null || line === undefined) throw new CliError('--password-stdin: stdin ended before a password line', EXIT.USAGE);
    return line;
  }
  return promptHidden(prompt);
}

/** A new password, typed twice on a terminal; one line with --password-stdin. */
export async function readNewPassword(lines: (string | null)[] | null, index: number, what = 'New master password'): Promise<string> {
  if (lines) {
    const line = lines[index];
    if (line === null || line === undefined) throw new CliError(`--password-stdin: stdin has no line ${index + 1} (${what.toLowerCase()})`, EXIT.USAGE);
    return line;
  }
  const first = await promptHidden(`${what}: `);
  const again = await promptHidden(`${what} (again): `);
  if (first !== again) throw new CliError('the two passwords differ', EXIT.USAGE);
  return first;
}

/** One visible answer (e.g. a confirmation); null when stdin ends first. */
export async function askLine(prompt: string): Promise<string | null> {
  process.stderr.write(prompt);
  const [line] = await readStdinLines(1);
  if (!stdinIsTerminal()) process.stderr.write('\n'); // a terminal echoed the answer's line end
  return line ?? null;
}
