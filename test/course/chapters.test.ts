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
// - The module is written to a temporary directory and run with `node --import tsx`, with
//   TSX_TSCONFIG_PATH set to the repository's tsconfig.json, so `swarmsim` and `swarmsim/testing`
//   resolve to src/ through its `paths`, exactly as the examples run. Before each block (and once
//   after the last) the module prints a marker line; stdout is split at the markers, so each
//   block's output is compared on its own.
// - Comparison ignores trailing whitespace on each line and blank lines at the end (tables of
//   the docker CLI pad their last column; editors strip that padding).
// - A mismatch fails with vitest's diff, titled with the chapter file, the block number and the
//   line of the block in the Markdown file. A chapter whose code throws fails with its stderr.
// - Pictures: each chapter runs in a fresh, empty working directory of its own, and an `.svg` file
//   a block writes there (`writeFileSync("docker-run.svg", render.renderMessages(sim, ...))`, plain
//   code a reader can copy) is a picture of the course. It must be byte for byte the committed
//   `docs/pictures/course/<same name>`, and the Markdown must embed it, as
//   `![...](../pictures/course/<name>)`, after the block (after its ```text block, before the next
//   ```ts block); an embed there names a picture that block writes. Which block wrote a file is
//   known from the directory's listing, printed with each block's marker. One file per picture:
//   a block must not overwrite a picture of an earlier one. Every file in docs/pictures/course is
//   some chapter's picture.
// - `COURSE_UPDATE=1 npx vitest run test/course` writes each block's actual output into its
//   ```text block instead, and each picture into docs/pictures/course (after a deliberate change
//   of behaviour; review the diff, the pictures and the prose).
//
// To see what a chapter prints: `COURSE_PRINT=1 npx vitest run test/course` prints every block's
// actual output.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const courseDirectory = join(repositoryRoot, "docs", "course");
/** Where the course's pictures are committed; the chapters embed them as `../pictures/course/<name>`. */
const picturesDirectory = join(repositoryRoot, "docs", "pictures", "course");
/** tsx's loader, by absolute URL: a chapter runs in its own working directory, outside the repository. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
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

/**
 * The marker line printed before block `index`: the marker, the index and the files in the
 * working directory (JSON), read with `process.getBuiltinModule` so that the chapter's own
 * imports are left alone.
 */
function markerStatement(index: number): string {
  return `process.stdout.write(${JSON.stringify(`${blockMarker}${index} `)} + JSON.stringify(process.getBuiltinModule("node:fs").readdirSync(".").sort()) + "\\n");\n`;
}

/** The chapter as one module: a marker line before each block and one after the last. */
function chapterModule(blocks: readonly CodeBlock[]): string {
  return blocks.map((block) => `${markerStatement(block.index)}${block.code}\n`).join("\n") + `\n${markerStatement(blocks.length + 1)}`;
}

const temporaryDirectory = mkdtempSync(join(tmpdir(), "swarmsim-course-"));
afterAll(() => rmSync(temporaryDirectory, { recursive: true, force: true }));

/**
 * Runs the chapter's module in a fresh Node process, in `workingDirectory` (fresh and empty);
 * resolves with stdout, stderr and the exit status.
 */
function runChapter(name: string, blocks: readonly CodeBlock[], workingDirectory: string): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  const path = join(temporaryDirectory, name.replace(/\.md$/, ".ts"));
  writeFileSync(path, chapterModule(blocks));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsxLoader, path],
      { cwd: workingDirectory, encoding: "utf8", timeout: chapterTimeoutMs, maxBuffer: 64 * 2 ** 20, env: { ...process.env, TSX_TSCONFIG_PATH: join(repositoryRoot, "tsconfig.json"), NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ stdout, stderr, failed: error !== null }),
    );
  });
}

/**
 * stdout split at the markers: block index -> what it printed, and block index -> the files in
 * the working directory before it ran (index blocks + 1: after the last).
 */
function outputsByBlock(stdout: string): { outputs: Map<number, string>; listings: Map<number, string[]> } {
  const outputs = new Map<number, string>();
  const listings = new Map<number, string[]>();
  const parts = stdout.split(blockMarker);
  if (parts[0] !== "") outputs.set(0, parts[0]!);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf("\n");
    const marker = part.slice(0, newline);
    const space = marker.indexOf(" ");
    const index = Number(marker.slice(0, space));
    listings.set(index, JSON.parse(marker.slice(space + 1)) as string[]);
    outputs.set(index, part.slice(newline + 1));
  }
  return { outputs, listings };
}

/** The pictures (new `.svg` files of the working directory) each block wrote: block index -> names. */
function picturesByBlock(blocks: readonly CodeBlock[], listings: ReadonlyMap<number, readonly string[]>): Map<number, string[]> {
  const pictures = new Map<number, string[]>();
  for (const block of blocks) {
    const before = new Set(listings.get(block.index) ?? []);
    const after = listings.get(block.index + 1) ?? [];
    pictures.set(block.index, after.filter((file) => !before.has(file) && file.endsWith(".svg")));
  }
  return pictures;
}

const embedPattern = /\]\(\.\.\/pictures\/course\/([^)\s]+)\)/g;

/** The pictures the Markdown embeds after each block (after its ```text block, before the next ```ts block): block index -> names. */
function embedsByBlock(markdown: string, blocks: readonly CodeBlock[]): Map<number, string[]> {
  const lines = markdown.split("\n");
  const embeds = new Map<number, string[]>();
  blocks.forEach((block, position) => {
    const from = block.expectedLine ?? block.line;
    const to = blocks[position + 1]?.line ?? lines.length + 1;
    const region = lines.slice(from - 1, to - 1).join("\n");
    embeds.set(block.index, [...region.matchAll(embedPattern)].map((match) => match[1]!));
  });
  return embeds;
}

/** Every picture a chapter embeds, by name. */
function embeddedPictures(markdown: string): string[] {
  return [...markdown.matchAll(embedPattern)].map((match) => match[1]!);
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

  it("embeds every picture of docs/pictures/course", () => {
    const embedded = new Set(chapters.flatMap((name) => embeddedPictures(readFileSync(join(courseDirectory, name), "utf8"))));
    const committed = existsSync(picturesDirectory) ? readdirSync(picturesDirectory) : [];
    expect(committed.filter((file) => !embedded.has(file)), "files of docs/pictures/course that no chapter embeds (remove them)").toEqual([]);
  });

  describe.concurrent.each(chapters)("%s", (name) => {
    it("runs its code and prints what it says", async ({ expect }) => {
      const markdown = readFileSync(join(courseDirectory, name), "utf8");
      const blocks = codeBlocks(markdown);
      expect(blocks.length, `docs/course/${name} has no \`\`\`ts blocks`).toBeGreaterThan(0);
      const workingDirectory = join(temporaryDirectory, name.replace(/\.md$/, ""));
      mkdirSync(workingDirectory);
      const { stdout, stderr, failed } = await runChapter(name, blocks, workingDirectory);
      const { outputs, listings } = outputsByBlock(stdout);
      const reached = Math.max(0, ...outputs.keys());
      if (failed) {
        const block = blocks[reached - 1];
        throw new Error(`docs/course/${name}: the code failed in block ${reached}${block === undefined ? "" : ` (line ${block.line})`}:\n${stderr}`);
      }
      const pictures = picturesByBlock(blocks, listings);
      if (process.env.COURSE_UPDATE) {
        writeFileSync(join(courseDirectory, name), withActualOutputs(markdown, blocks, outputs));
        mkdirSync(picturesDirectory, { recursive: true });
        for (const file of [...pictures.values()].flat()) writeFileSync(join(picturesDirectory, file), readFileSync(join(workingDirectory, file)));
      }
      const embeds = embedsByBlock(markdown, blocks);
      for (const block of blocks) {
        const where = `docs/course/${name}, block ${block.index} (the \`\`\`ts block at line ${block.line})`;
        const actual = normalize(outputs.get(block.index) ?? "");
        if (process.env.COURSE_PRINT) console.log(`--- docs/course/${name} block ${block.index} (line ${block.line})\n${actual}`);
        expect.soft(actual, `${where}: printed output differs from the \`\`\`text block after it`).toBe(normalize(block.expected ?? ""));
        const written = pictures.get(block.index) ?? [];
        expect.soft([...(embeds.get(block.index) ?? [])].sort(), `${where}: the pictures embedded after it (../pictures/course/...) are not the pictures it writes`).toEqual(written);
        for (const file of written) {
          const committed = join(picturesDirectory, file);
          const expected = existsSync(committed) ? readFileSync(committed, "utf8") : `(docs/pictures/course/${file} does not exist)`;
          expect.soft(readFileSync(join(workingDirectory, file), "utf8"), `${where}: its picture ${file} differs from docs/pictures/course/${file} (COURSE_UPDATE=1 rewrites it)`).toBe(expected);
        }
      }
    });
  });
});
