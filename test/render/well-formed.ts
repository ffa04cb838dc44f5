// A tiny XML well-formedness checker for the render tests: every tag is well formed, tags
// balance, attributes are quoted and unique, text and attribute values use only known entities,
// and there is exactly one root element. Returns the problems found (none for good XML).

const tagPattern = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>$/;
const attributePattern = /\s+([A-Za-z_:][\w:.-]*)="([^"<]*)"/g;
const badAmpersand = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** The problems that make `text` not well-formed XML, empty when it is. */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const body = text.replace(/^<\?xml[^?]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "");
  const pieces = body.split(/(<[^>]*>)/);
  for (const piece of pieces) {
    if (piece.startsWith("<")) {
      const match = tagPattern.exec(piece);
      if (match === null) {
        problems.push(`malformed tag ${piece.slice(0, 80)}`);
        continue;
      }
      const [, closing, name, attributes, selfClosing] = match;
      const seen = new Set<string>();
      for (const [, attribute, value] of attributes!.matchAll(attributePattern)) {
        if (seen.has(attribute!)) problems.push(`duplicate attribute ${attribute} in <${name}>`);
        seen.add(attribute!);
        if (badAmpersand.test(value!)) problems.push(`bad & in attribute ${attribute} of <${name}>`);
      }
      if (closing === "/") {
        if (selfClosing === "/" || attributes !== "") problems.push(`malformed closing tag ${piece}`);
        const open = stack.pop();
        if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
      } else {
        if (stack.length === 0) roots++;
        if (selfClosing !== "/") stack.push(name!);
      }
    } else {
      if (piece.includes("<")) problems.push(`stray < in text ${piece.slice(0, 40)}`);
      if (badAmpersand.test(piece)) problems.push(`bad & in text ${piece.slice(0, 40)}`);
      if (stack.length === 0 && piece.trim() !== "") problems.push(`text outside the root: ${piece.slice(0, 40)}`);
    }
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** How many times `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
