/**
 * Go's string helpers as swarmkit's constraint code relies on them, so that a constraint is
 * trimmed and compared exactly as a real manager would: `strings.TrimSpace` (Unicode
 * White_Space, which differs from JavaScript's `trim` on U+0085 and U+FEFF) and
 * `strings.EqualFold` (Unicode simple case folding, rune by rune).
 */

/** Whether `codePoint` is white space for Go's `unicode.IsSpace`. */
export function isGoSpace(codePoint: number): boolean {
  if (codePoint <= 0xff) {
    return codePoint === 0x20 || (codePoint >= 0x09 && codePoint <= 0x0d) || codePoint === 0x85 || codePoint === 0xa0;
  }
  return (
    codePoint === 0x1680 ||
    (codePoint >= 0x2000 && codePoint <= 0x200a) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x202f ||
    codePoint === 0x205f ||
    codePoint === 0x3000
  );
}

/** Go's `strings.TrimSpace`: drops leading and trailing white space as `unicode.IsSpace` sees it. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  // Bounded by the text's length: each step consumes one code unit (none of the spaces is astral).
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Whether `text` holds only ASCII characters. */
function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0x7f) return false;
  }
  return true;
}

/** Whether two code points fold to the same character (simple folding: one code point each way). */
function runesFoldEqual(left: string, right: string): boolean {
  if (left === right) return true;
  const leftLower = left.toLowerCase();
  const rightLower = right.toLowerCase();
  if (leftLower === rightLower && [...leftLower].length === 1) return true;
  const leftUpper = left.toUpperCase();
  const rightUpper = right.toUpperCase();
  return leftUpper === rightUpper && [...leftUpper].length === 1;
}

/**
 * Go's `strings.EqualFold`: equal under Unicode case folding, rune by rune (so `"K"` (Kelvin
 * sign) equals `"k"`, `"ς"` equals `"Σ"`, but `"ß"` does not equal `"SS"`).
 */
export function equalFold(left: string, right: string): boolean {
  if (left === right) return true;
  if (isAscii(left) && isAscii(right)) {
    if (left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      let leftCode = left.charCodeAt(index);
      let rightCode = right.charCodeAt(index);
      if (leftCode === rightCode) continue;
      if (leftCode >= 0x41 && leftCode <= 0x5a) leftCode += 0x20;
      if (rightCode >= 0x41 && rightCode <= 0x5a) rightCode += 0x20;
      if (leftCode !== rightCode) return false;
    }
    return true;
  }
  const leftRunes = [...left];
  const rightRunes = [...right];
  if (leftRunes.length !== rightRunes.length) return false;
  for (let index = 0; index < leftRunes.length; index++) {
    if (!runesFoldEqual(leftRunes[index]!, rightRunes[index]!)) return false;
  }
  return true;
}
