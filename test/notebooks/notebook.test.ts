// The notebook examples/notebooks/swarm.ipynb keeps running: it is executed headlessly by
// Jupyter's nbconvert on the tslab TypeScript kernel, as a reader would run it, and every cell
// must succeed and the pictures (SVG from swarmsim's `render`) must be in its outputs.
//
// The notebook imports the built library (`../../dist/index.js`: tslab cannot compile sources
// outside the notebook's own directory). So that the test checks the current sources without
// touching the shared dist/, it builds src/ into a temporary directory laid out like the
// repository (<tmp>/dist, <tmp>/examples/notebooks/swarm.ipynb) and runs the copy there.
//
// Needs Jupyter (nbconvert, jupyter-client, ipykernel) and the tslab kernel; when they are
// missing the test fails and says how to install them (see examples/notebooks/README.md).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const notebookPath = join(root, "examples/notebooks/swarm.ipynb");

const installHelp = [
  "The notebook test needs Jupyter's nbconvert and the tslab TypeScript kernel:",
  "  apt-get install -y jupyter-nbconvert jupyter-client python3-ipykernel   # or: pip install nbconvert ipykernel",
  "  npm install -g tslab",
  "  tslab install --python=/usr/bin/python3   # the python that has jupyter; registers the 'tslab' kernel",
  "See examples/notebooks/README.md.",
].join("\n");

const buildTimeoutMs = 40_000;
const executeTimeoutMs = 45_000;
const cellTimeoutS = 30;

interface Output {
  readonly output_type: string;
  readonly name?: string;
  readonly text?: string | string[];
  readonly data?: Record<string, string | string[]>;
  readonly ename?: string;
  readonly evalue?: string;
  readonly traceback?: string[];
}
interface Cell {
  readonly cell_type: string;
  readonly source: string | string[];
  readonly outputs?: Output[];
}

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join("") : (text ?? ""));

/** Runs a command, or returns why it could not be run. */
function probe(command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 20_000, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" } });
  if (result.error) return { ok: false, output: String(result.error.message) };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Throws, with the installation commands, unless jupyter nbconvert and the tslab kernel are there. */
function requireJupyterAndTslab(): void {
  const nbconvert = probe("jupyter", ["nbconvert", "--version"]);
  if (!nbconvert.ok) throw new Error(`jupyter nbconvert is not available (${nbconvert.output.trim()}).\n${installHelp}`);
  const tslab = probe("tslab", ["--version"]);
  if (!tslab.ok) throw new Error(`the tslab command is not available (${tslab.output.trim()}).\n${installHelp}`);
  const kernels = probe("jupyter", ["kernelspec", "list", "--json"]);
  const names = kernels.ok ? Object.keys((JSON.parse(kernels.output.slice(kernels.output.indexOf("{"))) as { kernelspecs: Record<string, unknown> }).kernelspecs) : [];
  if (!names.includes("tslab")) throw new Error(`Jupyter has no 'tslab' kernel (kernels: ${names.join(", ") || kernels.output.trim()}).\n${installHelp}`);
}

const scratch = mkdtempSync(join(tmpdir(), "swarmsim-notebook-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Builds src/ into <scratch>/dist (no type check: `npm run typecheck` does that) and copies the notebook beside it. */
function prepareScratchRepository(): string {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", join(scratch, "dist"), "--noCheck", "--sourceMap", "false"], {
    cwd: root,
    encoding: "utf8",
    timeout: buildTimeoutMs,
  });
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "swarmsim", type: "module", private: true }));
  symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"), "dir");
  mkdirSync(join(scratch, "examples/notebooks"), { recursive: true });
  const copy = join(scratch, "examples/notebooks/swarm.ipynb");
  copyFileSync(notebookPath, copy);
  return copy;
}

/** Executes the notebook with nbconvert (errors kept in the outputs, so they can be reported per cell) and returns its cells. */
function executeNotebook(path: string): Cell[] {
  const executed = join(scratch, "executed.ipynb");
  const result = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", `--ExecutePreprocessor.timeout=${cellTimeoutS}`, "--ExecutePreprocessor.kernel_name=tslab", "--output", executed, path],
    { cwd: join(scratch, "examples/notebooks"), encoding: "utf8", timeout: executeTimeoutMs, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" } },
  );
  if (result.error || result.status !== 0) {
    throw new Error(`jupyter nbconvert --execute failed (${result.error?.message ?? `exit ${result.status}${result.signal ? `, ${result.signal}` : ""}`}):\n${result.stderr}`);
  }
  return (JSON.parse(readFileSync(executed, "utf8")) as { cells: Cell[] }).cells;
}

describe("examples/notebooks/swarm.ipynb", () => {
  it("runs on the tslab kernel without an error in any cell and shows its SVG pictures", () => {
    requireJupyterAndTslab();
    const cells = executeNotebook(prepareScratchRepository());
    const code = cells.filter((cell) => cell.cell_type === "code");
    expect(code.length).toBeGreaterThan(5);

    // tslab reports a compile error as a stderr stream and a runtime one as an error output.
    const failures = code.flatMap((cell, index) =>
      (cell.outputs ?? [])
        .filter((output) => output.output_type === "error" || (output.output_type === "stream" && output.name === "stderr"))
        .map((output) => `code cell ${index + 1}:\n${joined(cell.source)}\n--> ${output.ename ?? "stderr"}: ${output.evalue ?? joined(output.text)}\n${(output.traceback ?? []).join("\n")}`),
    );
    expect(failures, failures.join("\n\n")).toEqual([]);
    // (tslab leaves execution_count empty, so the SVG of the last cell shows that every cell ran.)
    const last = code.at(-1)!;
    expect((last.outputs ?? []).some((output) => output.data?.["image/svg+xml"] !== undefined), "the last cell drew no picture").toBe(true);

    const svgs = code.flatMap((cell) => (cell.outputs ?? []).flatMap((output) => (output.data?.["image/svg+xml"] === undefined ? [] : [joined(output.data["image/svg+xml"])])));
    // One picture per `show(...)` statement of the notebook.
    const picturesShown = code.reduce((count, cell) => count + (joined(cell.source).match(/^\s*show\(/gm)?.length ?? 0), 0);
    expect(picturesShown).toBeGreaterThanOrEqual(8);
    expect(svgs).toHaveLength(picturesShown);
    for (const svg of svgs) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // The cluster pictures show the hosts, the leader and the tasks.
    expect(svgs[0]).toContain("manager1");
    expect(svgs.some((svg) => svg.includes("manager3") && svg.includes("worker1"))).toBe(true);
    expect(svgs.filter((svg) => svg.includes("leader")).length).toBeGreaterThan(2);
    expect(svgs.some((svg) => svg.includes("web.1"))).toBe(true);

    // And the text outputs tell the story of the chapters.
    const text = code.map((cell) => (cell.outputs ?? []).map((output) => joined(output.text)).join("")).join("\n");
    expect(text).toContain("This node joined a swarm as a manager.");
    expect(text).toMatch(/new leader manager\d after \d+\.\d+s/);
    expect(text).toMatch(/\\_ web\.1 .* worker1 .* Shutdown/);
    expect(text).toMatch(/worker2 marked down after \d+\.\d+s/);
  }, 120_000);
});
