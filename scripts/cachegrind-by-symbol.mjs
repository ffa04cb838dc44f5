// Splits a cachegrind run's instructions into V8's optimising compiler, collector, builtins, other
// V8 C++, libc and the JIT-compiled JavaScript (which cachegrind cannot name: `???:???`), with the
// top symbols. With two output files, shows the second minus the first (say 80 seeds minus 60,
// for what later seeds cost). Needs valgrind's cg_annotate on the PATH.
//
//   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/tmp/cg.60 node --single-threaded --predictable script.mjs 60
//   node scripts/cachegrind-by-symbol.mjs /tmp/cg.60 /tmp/cg.80 [top]
import { execFileSync } from "node:child_process";

/** Instructions per `file:function` symbol of one cachegrind output file. */
function instructionsBySymbol(path) {
  const text = execFileSync("cg_annotate", ["--threshold=0", path], { encoding: "utf8", maxBuffer: 1 << 28 });
  const counts = new Map();
  let inTable = false;
  for (const line of text.split("\n")) {
    if (/^Ir\s+file:function/.test(line)) inTable = true;
    else if (inTable && line.startsWith("----") && counts.size > 0) break;
    const match = inTable ? /^\s*([\d,]+)\s+\([ \d.]+%\)\s+(.*)$/.exec(line) : null;
    if (match !== null) counts.set(match[2], (counts.get(match[2]) ?? 0) + Number(match[1].replaceAll(",", "")));
  }
  return counts;
}

/** The part of the engine a symbol belongs to. */
function categoryOf(symbol) {
  if (symbol === "???:???") return "JIT-compiled JavaScript";
  if (/compiler::|maglev|turboshaft/i.test(symbol)) return "optimising compiler";
  if (/Scaveng|MarkCompact|Marking|Sweep|Heap::|heap::|Evacuat|IteratePointers|Visitor|MemoryAllocator|PagedSpace|NewSpace|MemoryChunk|Worklist|RememberedSet|SlotSet/.test(symbol)) return "collector";
  if (symbol.includes("Builtins_")) return "builtins";
  if (symbol.includes("Runtime_")) return "runtime functions";
  if (/Parser|Scanner|BytecodeGenerator|interpreter::|Compiler::|PreParser/.test(symbol)) return "parser and bytecode compiler";
  if (/malloc|memmove|memset|memcpy|libc/.test(symbol)) return "libc";
  if (symbol.includes("v8::internal::")) return "other V8 C++";
  return "other";
}

const [firstPath, secondPath, topText] = process.argv.slice(2);
if (firstPath === undefined) {
  console.error("usage: node scripts/cachegrind-by-symbol.mjs CACHEGRIND_OUT [LATER_CACHEGRIND_OUT] [TOP]");
  process.exit(2);
}
const first = instructionsBySymbol(firstPath);
const counts = secondPath === undefined ? first : new Map();
if (secondPath !== undefined) {
  const second = instructionsBySymbol(secondPath);
  for (const symbol of new Set([...first.keys(), ...second.keys()])) counts.set(symbol, (second.get(symbol) ?? 0) - (first.get(symbol) ?? 0));
}
let total = 0;
const byCategory = new Map();
for (const [symbol, count] of counts) {
  total += count;
  const category = categoryOf(symbol);
  byCategory.set(category, (byCategory.get(category) ?? 0) + count);
}
const percent = (count) => `${((100 * count) / total).toFixed(2).padStart(6)}%`;
console.log(`total ${total.toLocaleString("en-US")} instructions`);
for (const [category, count] of [...byCategory].sort((left, right) => right[1] - left[1])) console.log(`${percent(count)} ${count.toLocaleString("en-US").padStart(16)}  ${category}`);
console.log();
for (const [symbol, count] of [...counts].sort((left, right) => right[1] - left[1]).slice(0, Number(topText ?? 30))) {
  console.log(`${percent(count)} ${count.toLocaleString("en-US").padStart(16)}  ${symbol.slice(0, 140)}`);
}
