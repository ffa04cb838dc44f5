// The ps-style process tree of a host running an engine and one container.
import { describe, expect, it } from "vitest";
import { Simulation, formatProcessTree } from "swarmsim";

describe("formatProcessTree", () => {
  it("shows the container under its shim, and the shim adopted by init", () => {
    const sim = new Simulation({ seed: "tree" });
    sim.addHost("node1");
    const engine = sim.engine("node1");
    engine.imageCreate({ fromImage: "nginx" });
    const { Id } = engine.containerCreate({ Image: "nginx" });
    engine.containerStart(Id);
    const short = Id.slice(0, 12);
    const pid = (name: string) => sim.host("node1").processes().find((process) => process.name === name)!.pid;
    const row = (processPid: number, parentPid: number, command: string) => `${String(processPid).padStart(5)} ${String(parentPid).padStart(5)}  ${command}`;
    expect(formatProcessTree(sim.host("node1").processes())).toBe(
      [
        "  PID  PPID  CMD",
        row(1, 1, "containerd"),
        row(2, 1, "dockerd"),
        row(pid(`shim:${short}`), 1, `shim:${short}`),
        row(pid(`container:${short}`), pid(`shim:${short}`), ` \\_ container:${short}`),
      ].join("\n") + "\n",
    );
  });
});
