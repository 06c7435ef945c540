/**
 * How a user-controlled string (a key, a value, a path, an argument) is echoed in a message:
 * control characters, line breaks and the invisible characters that reorder or hide text on a
 * terminal (bidirectional overrides, zero-width marks) are written as escapes, and very long
 * strings are shortened, so one problem is always one readable line that cannot forge others.
 */

/** C0/C1 controls, DEL, line/paragraph separators, bidirectional controls, zero-width characters, BOM. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu;
/** Lone surrogates (invalid UTF-16, e.g. from mis-decoded bytes). */
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(character: string): string {
  return NAMED[character] ?? `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** Echoed text longer than this is cut (the message names the field; the value is only a hint). */
export const PRINTABLE_MAX_LENGTH = 200;

/** `text` as it may appear in a one-line message: escaped, at most `max` characters of the original. */
export function printable(text: string, max: number = PRINTABLE_MAX_LENGTH): string {
  const cut = text.length > max ? `${text.slice(0, max)}...(${text.length} characters)` : text;
  return cut.replace(UNPRINTABLE, escape).replace(LONE_SURROGATE, escape);
}

/** A message whose parts were already made printable, as one line (newlines of the message itself escaped too). */
export function oneLine(message: string): string {
  return printable(message, Number.POSITIVE_INFINITY);
}
