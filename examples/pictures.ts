// Draws the example pictures of docs/pictures/ that the course does not draw, with swarmsim's
// `render` module: a 3-manager, 2-worker swarm running a service, its leader crashed, a worker cut
// off by a partition. Every picture is the same, byte for byte, at every run (the simulation is
// seeded). The course's pictures (docs/pictures/course/) are drawn by the course's own code, from
// each chapter's own simulation, and checked by test/course/chapters.test.ts.
//
// Run it with `npx tsx examples/pictures.ts [directory]` (it writes docs/pictures/*.svg and *.json,
// or into the directory given; test/render/pictures.test.ts checks the committed ones are current).
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Simulation, render } from "swarmsim";

const directory = process.argv[2] === undefined ? new URL("../docs/pictures/", import.meta.url) : pathToFileURL(`${process.argv[2].replace(/\/$/, "")}/`);
mkdirSync(directory, { recursive: true });
const write = (name: string, text: string) => {
  writeFileSync(new URL(name, directory), text);
  console.log(`wrote ${name} (${text.length} bytes)`);
};

const sim = Simulation.swarm({ seed: "pictures", managers: 3, workers: 2 });
sim.exec("manager1", "docker service create -d --name web --replicas 6 nginx");
sim.runFor(20_000);

// The leader crashes; a new one is elected. A worker is cut off from everyone else.
const crashedLeader = sim.leader()!.host;
const faultsFromMs = sim.now - 500;
sim.faults.crash(crashedLeader);
sim.runFor(25_000);
const isolatedAtMs = sim.now;
sim.faults.isolate("worker2");
sim.runFor(20_000);
write("messages-partition.svg", render.renderMessages(sim, { fromMs: isolatedAtMs - 1_000, toMs: isolatedAtMs + 6_000, hosts: ["manager2", "manager3", "worker2"], processes: ["swarm-agent", "swarm-manager"] }));
write("trace.json", JSON.stringify(render.exportTrace(sim, { fromMs: faultsFromMs, toMs: faultsFromMs + 5_000 })));
