// The runnable examples keep running: each is executed as a user would run it, and its
// output checked for the lines that show it worked and stayed deterministic.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

function runExample(name: string): string {
  const path = fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  return execFileSync(process.execPath, ["--import", "tsx", path], { encoding: "utf8" });
}

describe("examples", () => {
  it("demo.ts shows the engine's layers and what survives each fault, the same way every time", () => {
    const first = runExample("demo.ts");
    expect(first).toMatch(/containerd\.task\.create[\s\S]*shim\.start[\s\S]*runc\.create[\s\S]*runc\.exit[\s\S]*runc\.start/);
    expect(first).toMatch(/\\_ container:[0-9a-f]{12}/);
    expect(first).toMatch(/stopping pinger took 10[0-2]\d\d\.\d ms/); // the 10 s grace period, SIGKILL, dockerd's exit handling (Docker: 10.24 s)
    expect(first).toMatch(/Cannot connect to the Docker daemon/);
    expect(first).toMatch(/Exited \(137\)/);
    expect(runExample("demo.ts")).toBe(first);
  });

  it("kernel-demo.ts builds bare hosts, injects faults and prints the trace", () => {
    const first = runExample("kernel-demo.ts");
    expect(first).toMatch(/host\.crash/);
    expect(first).toMatch(/network\.partition\s+\[manager1\] \| \[manager2 worker1\]/);
    expect(first).toMatch(/dropped \(loss\)/);
    expect(first).toMatch(/manager2\s+10\.0\.0\.2\s+up=true boots=2/);
    expect(runExample("kernel-demo.ts")).toBe(first);
  });
});
