// The example pictures committed in docs/pictures (linked from the README) are what
// examples/pictures.ts draws today: regenerated into a temporary folder, byte for byte the same.
// The course's pictures, in docs/pictures/course/, are drawn by the course's own code and checked
// by test/course/chapters.test.ts.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("docs/pictures", () => {
  it("are current: examples/pictures.ts draws them again byte for byte", () => {
    const directory = mkdtempSync(join(tmpdir(), "swarmsim-pictures-"));
    try {
      const run = spawnSync(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "examples/pictures.ts", directory], { cwd: root, encoding: "utf8", timeout: 120_000 });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const pictures = join(root, "docs", "pictures");
      // Files only: the course/ folder is the course's.
      const committed = readdirSync(pictures)
        .filter((name) => statSync(join(pictures, name)).isFile())
        .sort();
      expect(readdirSync(directory).sort()).toEqual(committed);
      for (const name of committed) {
        expect(readFileSync(join(directory, name), "utf8"), `docs/pictures/${name} is stale: run npx tsx examples/pictures.ts`).toBe(readFileSync(join(pictures, name), "utf8"));
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 150_000);
});
