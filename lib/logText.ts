/**
 * What a log line may hold of text that came from outside: JSON.stringify leaves the line and
 * paragraph separators, the C1 controls and the bidi controls raw, and Unicode-aware readers split
 * lines at some of them while viewers reorder text at others. So every character of the Unicode
 * categories Cc, Cf, Zl and Zp is written as a \u escape, and the text is cut to a bounded length
 * with a marker, so that no request can fill a log line.
 */

/** Control, format, line-separator and paragraph-separator characters. */
export const UNSAFE_IN_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const UNSAFE_GLOBAL = new RegExp(UNSAFE_IN_TEXT.source, 'gu');

/** The most characters of one outside string a log line holds. */
const MAX_LOGGED_CHARACTERS = 256;
/** The most entries of one outside list a log line holds, and characters of each: scopes and audiences are short names. */
const MAX_LOGGED_ENTRIES = 16;
const MAX_LOGGED_ENTRY_CHARACTERS = 64;

/** The text as a log line may hold it: unsafe characters escaped, at most `max` characters and a marker. */
export function loggableText(text: string, max = MAX_LOGGED_CHARACTERS): string {
  // The common case, on every audit line: short and clean text, returned as it is. (No more UTF-16
  // units than `max` means no more characters either.)
  if (text.length <= max && !UNSAFE_IN_TEXT.test(text)) return text;
  const characters = [...text];
  const kept = characters.slice(0, max).join('');
  const escaped = kept.replace(UNSAFE_GLOBAL, (character) => `\\u${(character.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
  const cut = characters.length - max;
  return cut > 0 ? `${escaped}…(+${cut} characters)` : escaped;
}

/** A list as a log line may hold it: at most 16 entries of 64 characters, each loggable, and markers. */
export function loggableList(entries: readonly string[]): string[] {
  const kept = entries.slice(0, MAX_LOGGED_ENTRIES).map((entry) => loggableText(entry, MAX_LOGGED_ENTRY_CHARACTERS));
  const cut = entries.length - MAX_LOGGED_ENTRIES;
  return cut > 0 ? [...kept, `…(+${cut} entries)`] : kept;
}
