import { describe, expect, it } from 'vitest';
import { CONCEALED, HOLD_MS, MaskingStream } from '../../src/cli/mask.js';

/** Feeds the chunks (with optional pauses) and collects what comes out. */
async function mask(values: string[], chunks: (string | Buffer | { pause: number })[]): Promise<{ out: string; arrivals: string[] }> {
  const stream = new MaskingStream(values);
  const arrivals: string[] = [];
  stream.on('data', (b: Buffer) => arrivals.push(b.toString()));
  for (const c of chunks) {
    if (typeof c === 'string') stream.write(Buffer.from(c));
    else if (Buffer.isBuffer(c)) stream.write(c);
    else await new Promise((r) => setTimeout(r, c.pause));
  }
  stream.end();
  await new Promise((r) => stream.on('end', r));
  return { out: arrivals.join(''), arrivals };
}

describe('output masking', () => {
  it('replaces every occurrence of every value', async () => {
    const { out } = await mask(['sk-secret-1', 'AKIA1234'], ['a sk-secret-1 b AKIA1234 c sk-secret-1']);
    expect(out).toBe(`a ${CONCEALED} b ${CONCEALED} c ${CONCEALED}`);
  });

  it('conceals a value split across writes', async () => {
    const { out } = await mask(['sk-secret-1'], ['x sk-se', 'cret-1 y']);
    expect(out).toBe(`x ${CONCEALED} y`);
  });

  it('conceals the longer of two overlapping values whole', async () => {
    const { out } = await mask(['abcd', 'abcdefgh'], ['[abcdefgh] [abcd]']);
    expect(out).toBe(`[${CONCEALED}] [${CONCEALED}]`);
  });

  it('leaves values shorter than four characters alone, so ordinary words survive', async () => {
    const { out } = await mask(['on', 'yes'], ['yes, it is on']);
    expect(out).toBe('yes, it is on');
  });

  it('releases a held tail that turned out not to be a value once the writer is quiet', async () => {
    const { arrivals } = await mask(['sk-secret-1'], ['prompt sk-', { pause: HOLD_MS * 3 }]);
    expect(arrivals.slice(0, 2)).toEqual(['prompt ', 'sk-']);
  });

  it('conceals a value whose write was split inside a multi-byte character', async () => {
    const bytes = Buffer.from('café clé-secrète ☕');
    const cut = bytes.indexOf(Buffer.from('é-')) + 1; // between the two bytes of "é"
    const { out } = await mask(['clé-secrète'], [bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(out).toBe(`café ${CONCEALED} ☕`);
  });
});
