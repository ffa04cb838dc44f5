// The course in docs/course/ keeps working: every chapter's code runs, and prints what the
// chapter says it prints.
//
// How a chapter is run:
//
// - A chapter is a Markdown file `docs/course/NN-*.md`. Its fenced blocks marked ```ts are its
//   code; a block marked ```text that comes right after a ```ts block (only prose between them)
//   is that block's expected output. A ```ts block with no ```text block after it must print
//   nothing. Blocks marked anything else (```sh, ```text on its own, ...) are not run.
// - The ```ts blocks of one chapter share ONE module scope: they are concatenated, in order,
//   into a single TypeScript module, so a later block uses the `sim` an earlier one built (as a
//   reader typing along in one file or one notebook would). Import a name once per chapter.
//   Chapters are independent of each other: each runs in its own Node process.
// - The module is written to a temporary directory and run with `node --import tsx` from the
//   repository root, so `swarmsim` and `swarmsim/testing` resolve to src/ through tsconfig.json's
//   `paths`, exactly as the examples run. Before each block the module prints a marker line;
//   stdout is split at the markers, so each block's output is compared on its own.
// - Comparison ignores trailing whitespace on each line and blank lines at the end (tables of
//   the docker CLI pad their last column; editors strip that padding).
// - A mismatch fails with vitest's diff, titled with the chapter file, the block number and the
//   line of the block in the Markdown file. A chapter whose code throws fails with its stderr.
// - `COURSE_UPDATE=1 npx vitest run test/course` writes each block's actual output into its
//   ```text block instead (after a deliberate change of behaviour; review the diff and the prose).
//
// To see what a chapter prints: `COURSE_PRINT=1 npx vitest run test/course` prints every block's
// actual output.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const courseDirectory = join(repositoryRoot, "docs", "course");
/** Marker printed before each block's output; a line no chapter prints. */
const blockMarker = "\u001e--course-block--";
/** Longest a chapter may run, ms (they take a few seconds each). */
const chapterTimeoutMs = 35_000;

/** One ```ts block and the ```text block after it, if any. */
interface CodeBlock {
  readonly index: number;
  /** 1-based line of the opening fence in the Markdown file. */
  readonly line: number;
  readonly code: string;
  /** null: no ```text block follows, so the block must print nothing. */
  readonly expected: string | null;
  /** 1-based line of the opening fence of the ```text block, or null. */
  readonly expectedLine: number | null;
}

interface Fence {
  readonly info: string;
  readonly line: number;
  readonly body: string;
}

/** The fenced blocks of a Markdown file, in order (``` fences only, not indented). */
function fences(markdown: string): Fence[] {
  const lines = markdown.split("\n");
  const found: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)\s*$/.exec(lines[index]!);
    if (open === null) continue;
    const start = index;
    const body: string[] = [];
    index++;
    while (index < lines.length && !/^```\s*$/.test(lines[index]!)) body.push(lines[index++]!);
    if (index >= lines.length) throw new Error(`unclosed code fence at line ${start + 1}`);
    found.push({ info: open[1]!, line: start + 1, body: body.join("\n") });
  }
  return found;
}

/** The chapter's ```ts blocks, each with the ```text block right after it. */
function codeBlocks(markdown: string): CodeBlock[] {
  const all = fences(markdown);
  const blocks: CodeBlock[] = [];
  all.forEach((fence, position) => {
    if (fence.info !== "ts") return;
    const next = all[position + 1];
    const text = next?.info === "text" ? next : null;
    blocks.push({ index: blocks.length + 1, line: fence.line, code: fence.body, expected: text?.body ?? null, expectedLine: text?.line ?? null });
  });
  return blocks;
}

/** Trailing whitespace per line and trailing blank lines removed. */
function normalize(output: string): string {
  return output
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

/** The chapter as one module: a marker line before each block. */
function chapterModule(blocks: readonly CodeBlock[]): string {
  return blocks.map((block) => `process.stdout.write(${JSON.stringify(`${blockMarker}${block.index}\n`)});\n${block.code}\n`).join("\n");
}

const temporaryDirectory = mkdtempSync(join(tmpdir(), "swarmsim-course-"));
afterAll(() => rmSync(temporaryDirectory, { recursive: true, force: true }));

/** Runs the chapter's module in a fresh Node process; resolves with stdout, stderr and the exit status. */
function runChapter(name: string, blocks: readonly CodeBlock[]): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  const path = join(temporaryDirectory, name.replace(/\.md$/, ".ts"));
  writeFileSync(path, chapterModule(blocks));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path],
      { cwd: repositoryRoot, encoding: "utf8", timeout: chapterTimeoutMs, maxBuffer: 64 * 2 ** 20, env: { ...process.env, TSX_TSCONFIG_PATH: join(repositoryRoot, "tsconfig.json"), NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ stdout, stderr, failed: error !== null }),
    );
  });
}

/** stdout split at the markers: block index -> what it printed. */
function outputsByBlock(stdout: string): Map<number, string> {
  const outputs = new Map<number, string>();
  const parts = stdout.split(blockMarker);
  if (parts[0] !== "") outputs.set(0, parts[0]!);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf("\n");
    outputs.set(Number(part.slice(0, newline)), part.slice(newline + 1));
  }
  return outputs;
}

/** The chapter with each ```text block replaced by its block's actual output (COURSE_UPDATE). */
function withActualOutputs(markdown: string, blocks: readonly CodeBlock[], outputs: ReadonlyMap<number, string>): string {
  const lines = markdown.split("\n");
  for (const block of [...blocks].reverse()) {
    if (block.expectedLine === null || block.expected === null) continue;
    const bodyLength = block.expected === "" ? 0 : block.expected.split("\n").length;
    lines.splice(block.expectedLine, bodyLength, ...normalize(outputs.get(block.index) ?? "").split("\n"));
  }
  return lines.join("\n");
}

const chapters = readdirSync(courseDirectory)
  .filter((name) => /^\d\d-.*\.md$/.test(name))
  .sort();

describe("the course in docs/course", () => {
  it("has its chapters", () => {
    expect(chapters.length).toBeGreaterThanOrEqual(5);
  });

  describe.concurrent.each(chapters)("%s", (name) => {
    it("runs its code and prints what it says", async ({ expect }) => {
      const markdown = readFileSync(join(courseDirectory, name), "utf8");
      const blocks = codeBlocks(markdown);
      expect(blocks.length, `docs/course/${name} has no \`\`\`ts blocks`).toBeGreaterThan(0);
      const { stdout, stderr, failed } = await runChapter(name, blocks);
      const outputs = outputsByBlock(stdout);
      const reached = Math.max(0, ...outputs.keys());
      if (failed) {
        const block = blocks[reached - 1];
        throw new Error(`docs/course/${name}: the code failed in block ${reached}${block === undefined ? "" : ` (line ${block.line})`}:\n${stderr}`);
      }
      if (process.env.COURSE_UPDATE) writeFileSync(join(courseDirectory, name), withActualOutputs(markdown, blocks, outputs));
      for (const block of blocks) {
        const actual = normalize(outputs.get(block.index) ?? "");
        if (process.env.COURSE_PRINT) console.log(`--- docs/course/${name} block ${block.index} (line ${block.line})\n${actual}`);
        expect.soft(actual, `docs/course/${name}, block ${block.index} (the \`\`\`ts block at line ${block.line}): printed output differs from the \`\`\`text block after it`).toBe(normalize(block.expected ?? ""));
      }
    });
  });
});
