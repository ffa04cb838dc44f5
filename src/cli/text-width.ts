/**
 * How many terminal columns text takes, as the docker CLI measures it: East Asian wide and
 * fullwidth characters take two columns, combining marks and zero-width characters none
 * (go-runewidth, used by docker's tabwriter), and docker's `Ellipsis` truncation of long
 * cells such as `docker ps`'s COMMAND.
 */

/** Code point ranges of East Asian Wide (W) and Fullwidth (F) characters (Unicode 15, main blocks). */
const wideRanges: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

/** True if the code point is East Asian Wide or Fullwidth. */
export function isWideCodePoint(codePoint: number): boolean {
  let low = 0;
  let high = wideRanges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = wideRanges[middle]!;
    if (codePoint < start) high = middle - 1;
    else if (codePoint > end) low = middle + 1;
    else return true;
  }
  return false;
}

const zeroWidthPattern = /^[\p{Mn}\p{Me}\p{Cf}\u0000-\u001f\u007f-\u009f]$/u;

/** Columns one code point takes in a terminal: 0, 1 or 2 (go-runewidth's RuneWidth). */
export function codePointWidth(character: string): number {
  if (zeroWidthPattern.test(character)) return 0;
  return isWideCodePoint(character.codePointAt(0)!) ? 2 : 1;
}

/** Columns `text` takes in a terminal (go-runewidth's StringWidth, code point by code point). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += codePointWidth(character);
  return width;
}

/**
 * Truncates `text` to at most `maximumWidth` columns, ending it with `…` when cut, as docker's
 * `formatter.Ellipsis` does (`docker ps` shows COMMAND as `Ellipsis(command, 20)`). Wide
 * characters count two columns, every other character one. A width of 1 keeps the first
 * character; 0 or less gives "". When the first character is wider than the room before the
 * `…`, docker returns the text uncut, and so does this.
 */
export function ellipsis(text: string, maximumWidth: number): string {
  if (maximumWidth <= 0) return "";
  const characters = Array.from(text);
  if (maximumWidth === 1) return characters[0] ?? "";
  const widths = characters.map((character) => (isWideCodePoint(character.codePointAt(0)!) ? 2 : 1));
  const total = widths.reduce((sum, width) => sum + width, 0);
  if (total <= maximumWidth) return text;
  let used = 0;
  let kept = 0;
  while (kept < characters.length && used + widths[kept]! <= maximumWidth - 1) {
    used += widths[kept]!;
    kept++;
  }
  // docker returns the text uncut when not even the first character fits before the "…".
  if (kept === 0) return text;
  return characters.slice(0, kept).join("") + "…";
}
