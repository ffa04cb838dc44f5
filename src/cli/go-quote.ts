/**
 * Go's `%q` verb for the docker CLI's messages: `strconv.Quote` for strings
 * (`invalid argument "abc" for "-m, --memory" flag`) and `strconv.QuoteRune` for the single
 * characters of shorthand flags (`unknown shorthand flag: 'z' in -z`).
 */

/** The escape Go uses for one code point inside a quoted literal, or null when printed as is. */
function escapeCodePoint(codePoint: number, quote: string): string | null {
  const character = String.fromCodePoint(codePoint);
  if (character === quote || character === "\\") return `\\${character}`;
  switch (codePoint) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${codePoint.toString(16).padStart(2, "0")}`;
  if (codePoint >= 0x80 && codePoint < 0xa0) return `\\u${codePoint.toString(16).padStart(4, "0")}`;
  return null;
}

function quoteWith(text: string, quote: string): string {
  let output = quote;
  for (const character of text) {
    output += escapeCodePoint(character.codePointAt(0)!, quote) ?? character;
  }
  return output + quote;
}

/** A string as Go's `strconv.Quote` (and `%q`) prints it: `"abc"`, `"a\"b"`, `"\x00"`. */
export function goQuote(text: string): string {
  return quoteWith(text, '"');
}

/** One character as Go's `strconv.QuoteRune` (`%q` of a rune or byte) prints it: `'z'`, `'\''`. */
export function goQuoteCharacter(character: string): string {
  return quoteWith(character, "'");
}
