// Characters a user-chosen name may not hold, because they make one name look like another
// (Trojan Source, CVE-2021-42574) or forge lines in the CLI's output; and how the CLI shows them
// when an older vault holds them anyway. Ordinary visible Unicode (accents, CJK, emoji) is allowed.

/** Why a character is refused in a name. */
export type HiddenKind = 'control' | 'invisible' | 'surrogate';

export interface HiddenCharacter {
  kind: HiddenKind;
  /** `U+202E`, for a message. */
  codePoint: string;
}

/** C0, DEL, C1 (newline, tab, NEL…) and the line and paragraph separators. */
const CONTROL = /^[\p{Cc}\u2028\u2029]$/u;
/** Format characters (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+061C, U+FEFF, tags…) and everything Unicode says to render as nothing (Hangul fillers, variation selectors, U+034F…). */
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}]$/u;
const LONE_SURROGATE = /^[\uD800-\uDFFF]$/;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const SKIN_TONE = /^\p{Emoji_Modifier}$/u;
const KEYCAP_BASE = /^[0-9#*]$/;
const ZWJ = '\u200D';
const VARIATION = /^[\uFE0E\uFE0F]$/;
const KEYCAP = '\u20E3';

const KIND_TEXT: Record<HiddenKind, string> = {
  control: 'a control character or line break',
  invisible: 'an invisible or direction-changing character',
  surrogate: 'half of a surrogate pair (not a character)',
};

/** `U+202E` (four hex digits at least). */
export const codePointOf = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Every character that may be refused, in one native scan: controls, format, direction and
 * default-ignorable characters, and (the `u` flag matches a surrogate only when it is unpaired)
 * half of a surrogate pair. kindAt then decides on each, with its neighbours.
 */
const SUSPECT = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\u2028\u2029\uD800-\uDFFF]/gu;

/** The code point that ends just before `end` in `text` ('' at the start). */
function pointBefore(text: string, end: number): string {
  if (end <= 0) return '';
  const low = text.charCodeAt(end - 1);
  if (end >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(end - 2, end);
  }
  return text[end - 1]!;
}

/** The code point that starts at `at` in `text` ('' past the end). */
const pointAt = (text: string, at: number): string => (at < text.length ? String.fromCodePoint(text.codePointAt(at)!) : '');

/**
 * Whether `ch`, found at `at` in `text`, may stay: the joiner and variation selectors that emoji
 * are made of are visible as part of the emoji (👩‍💻, ❤️, 1️⃣), so they pass there and nowhere
 * else — "pro\u200Dd" still looks like "prod". Tag characters (subdivision flags) are not let
 * through: they can carry hidden text after any flag.
 */
function partOfEmoji(text: string, at: number, ch: string): boolean {
  const prev = pointBefore(text, at);
  const next = pointAt(text, at + ch.length);
  if (VARIATION.test(ch)) return PICTOGRAPH.test(prev) || (KEYCAP_BASE.test(prev) && next === KEYCAP);
  if (ch !== ZWJ || !PICTOGRAPH.test(next)) return false;
  // The joiner follows an emoji, possibly after its skin tone or its emoji-style selector.
  const before = SKIN_TONE.test(prev) || prev === '\uFE0F' ? pointBefore(text, at - prev.length) : prev;
  return PICTOGRAPH.test(before);
}

/** Why `ch` (a SUSPECT match at `at` in `text`) is refused, or null when it may stay. */
function kindAt(text: string, at: number, ch: string): HiddenKind | null {
  if (CONTROL.test(ch)) return 'control';
  if (LONE_SURROGATE.test(ch)) return 'surrogate';
  if (INVISIBLE.test(ch) && !partOfEmoji(text, at, ch)) return 'invisible';
  return null;
}

/** The first character a new name may not hold (of `kinds` only, if given), or null. */
export function firstHidden(name: string, kinds?: readonly HiddenKind[]): HiddenCharacter | null {
  for (const match of name.matchAll(SUSPECT)) {
    const kind = kindAt(name, match.index, match[0]);
    if (kind && (!kinds || kinds.includes(kind))) return { kind, codePoint: codePointOf(match[0]) };
  }
  return null;
}

/** `contains an invisible or direction-changing character (U+202E)`: a predicate for a validation message. */
export const describeHidden = (h: HiddenCharacter): string => `contains ${KIND_TEXT[h.kind]} (${h.codePoint})`;

const escapeOne = (ch: string): string => {
  const cp = ch.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
};

/**
 * The text with every character a name may not hold written as `\u202E` (`\u{E0041}` past the
 * BMP), for output a person reads: a name from an older vault cannot reorder, hide or break the
 * line it is shown on. Text a new name may hold comes back unchanged.
 */
export function escapeHidden(text: string): string {
  return text.replace(SUSPECT, (ch: string, at: number) => (kindAt(text, at, ch) ? escapeOne(ch) : ch));
}

/** Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation forms). */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/**
 * A name for plain text a person reads (a toast, a title, an aria-label): escaped as above, and,
 * when it holds right-to-left letters, isolated between FIRST STRONG ISOLATE and POP DIRECTIONAL
 * ISOLATE (what `unicode-bidi: isolate` does for an element), so the words and numbers around it
 * keep their order. Any other name comes back as `escapeHidden` gives it.
 */
export function shownName(name: string): string {
  const text = escapeHidden(name);
  return RIGHT_TO_LEFT.test(text) ? `\u2068${text}\u2069` : text;
}

/**
 * JSON text with every such character written as `\uXXXX` (a pair of them past the BMP), which a
 * JSON parser reads back as the same character: the value is unchanged, a person sees the escape.
 */
export function escapeHiddenInJson(json: string): string {
  // A raw newline in JSON text is the indentation's own (a string's is already `\n`).
  return json.replace(SUSPECT, (ch: string, at: number) =>
    ch !== '\n' && kindAt(json, at, ch) ? Array.from({ length: ch.length }, (_, k) => `\\u${ch.charCodeAt(k).toString(16).toUpperCase().padStart(4, '0')}`).join('') : ch,
  );
}
