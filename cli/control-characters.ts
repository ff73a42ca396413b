/**
 * The characters a terminal may act on instead of showing: C0 (U+0000 to
 * U+001F: ESC starts cursor moves, colours and OSC 8 links, CR returns to
 * the start of the line, BEL ends an OSC sequence), DEL (U+007F) and C1
 * (U+0080 to U+009F: U+009B is a one-character CSI, U+009D an OSC, for
 * terminals that take 8-bit controls). Values that reach the output come
 * from accounts and files a member account's administrator or a snapshot's
 * author controls: trail names and ARNs, account names, AWS's error
 * messages.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A value with every control character written as the four visible
 * characters `\xHH` (lower-case hex), so a terminal shows it and does
 * nothing else: the text can no longer move the cursor, rewrite a line or
 * hide a link. Line breaks are escaped too, so a value cannot add a line of
 * its own. Nothing else changes (a backslash stays a backslash: the escape
 * is for reading, not for parsing back).
 *
 * @example
 * escapeControlCharacters('trail\u001b]8;;http://evil\u0007\r') // => 'trail\\x1b]8;;http://evil\\x07\\x0d'
 */
export function escapeControlCharacters(value: string): string {
  return value.replace(
    CONTROL_CHARACTER,
    (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * Text as the command writes it to stdout or stderr: its lines keep their
 * ends (LF, or CRLF, with which CSV ends its records), and every other
 * control character is escaped by {@link escapeControlCharacters}. Each
 * renderer escapes its values already; this is what makes sure of it for
 * everything written, error messages included.
 *
 * @example
 * escapeOutput('a\u001b[2Jb\r\nc\n') // => 'a\\x1b[2Jb\r\nc\n'
 */
export function escapeOutput(text: string): string {
  return text
    .split(/(\r?\n)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeControlCharacters(part)))
    .join('');
}
