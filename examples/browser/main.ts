/// <reference lib="dom" />
// A live swarm in the browser: a 3-manager, 2-worker swarmsim simulation whose virtual clock
// advances with wall time (10x by default), redrawn with `render.renderCluster` after every step.
// Buttons inject faults and run docker commands; the time slider shows the kept world state of a
// past virtual time (`sim.stateAt`), drawn with `render.renderClusterAt` and summarised as text.
//
// Run it with `npm run browser` (Vite serves this folder). `?seed=...` picks another seed.
import { Simulation, render, type WorldState } from "swarmsim";

const tickMs = 100;
/** Most virtual time one tick advances, so a slow frame never freezes the page. */
const virtualStepMaxMs = 2_000;
const terminalStates = new Set(["complete", "shutdown", "failed", "rejected", "remove", "orphaned"]);

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

const ui = {
  pause: byId<HTMLButtonElement>("pause"),
  speed: byId<HTMLSelectElement>("speed"),
  advance: byId<HTMLButtonElement>("advance"),
  host: byId<HTMLSelectElement>("host"),
  crash: byId<HTMLButtonElement>("crash"),
  restart: byId<HTMLButtonElement>("restart"),
  isolate: byId<HTMLButtonElement>("isolate"),
  heal: byId<HTMLButtonElement>("heal"),
  crashLeader: byId<HTMLButtonElement>("crash-leader"),
  create: byId<HTMLButtonElement>("create"),
  replicas: byId<HTMLInputElement>("replicas"),
  scale: byId<HTMLButtonElement>("scale"),
  status: byId<HTMLDivElement>("status"),
  cluster: byId<HTMLDivElement>("cluster"),
  follow: byId<HTMLInputElement>("follow"),
  time: byId<HTMLInputElement>("time"),
  timeLabel: byId<HTMLSpanElement>("time-label"),
  past: byId<HTMLDivElement>("past"),
  log: byId<HTMLDivElement>("log"),
};

const seed = new URLSearchParams(location.search).get("seed") ?? "browser";
const sim = Simulation.swarm({ seed, managers: 3, workers: 2 });
// For the curious: the simulation is reachable from the browser's console.
(window as unknown as { swarmsim: { sim: Simulation } }).swarmsim = { sim };

for (const host of sim.hosts()) ui.host.add(new Option(host.name, host.name));

let paused = false;
let lastWallMs = performance.now();

function log(line: string): void {
  ui.log.textContent = `[${(sim.now / 1_000).toFixed(1)} s] ${line}\n${ui.log.textContent ?? ""}`.slice(0, 20_000);
}

/** Runs an action, logging any error instead of stopping the page, then redraws. */
function act(label: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    log(`${label} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  draw();
}

/** Docker commands go to the leader (a crashed or cut-off manager cannot forward them). */
function managerForCommands(): string {
  const leader = sim.leader();
  if (leader !== undefined) return leader.host;
  const up = sim.hosts().find((host) => host.up && host.name.startsWith("manager"));
  return up?.name ?? "manager1";
}

function docker(line: string): void {
  const host = managerForCommands();
  const result = sim.exec(host, line);
  log(`${host}$ ${line}\n${result.stdout}${result.stderr}(exit ${result.exitCode})`);
}

function liveTaskCount(): number {
  const state = sim.clusterState();
  if (state === undefined) return 0;
  return Object.values(state.tasks).filter((task) => task.status.state === "running").length;
}

/** A text picture of a kept world state: leader, Raft members, hosts, partitions and tasks per node. */
function summarize(state: WorldState): string {
  const lines = [`state kept at ${(state.timeMs / 1_000).toFixed(3)} s`];
  lines.push(state.leader === null ? "leader: none" : `leader: ${state.leader.host} (term ${state.leader.term})`);
  lines.push(`raft: ${state.raft.map((member) => `${member.host} ${member.role} t${member.term}`).join(", ") || "no live member"}`);
  lines.push(`hosts: ${state.hosts.map((host) => `${host.name} ${host.up ? "up" : "DOWN"}`).join(", ")}`);
  lines.push(`partitions: ${state.network.partitions.map(([groupA, groupB]) => `[${groupA.join(", ")}] | [${groupB.join(", ")}]`).join("; ") || "none"}`);
  const store = state.store;
  if (store === null) {
    lines.push("tasks: no manager store");
  } else {
    const names = new Map(Object.values(store.nodes).map((node) => [node.id, node.description.hostname] as const));
    const services = new Map(Object.values(store.services).map((service) => [service.id, service.spec.name] as const));
    const perNode = new Map<string, string[]>();
    for (const task of Object.values(store.tasks)) {
      if (terminalStates.has(task.status.state)) continue;
      const node = names.get(task.nodeId) ?? (task.nodeId === "" ? "(unassigned)" : task.nodeId);
      const list = perNode.get(node) ?? [];
      list.push(`${services.get(task.serviceId) ?? task.serviceId}.${task.slot} ${task.status.state}`);
      perNode.set(node, list);
    }
    if (perNode.size === 0) lines.push("tasks: none");
    for (const [node, tasks] of [...perNode].sort(([left], [right]) => left.localeCompare(right))) {
      lines.push(`  ${node}: ${tasks.sort().join(", ")}`);
    }
  }
  return lines.join("\n");
}

/** Where the picture of a past time goes. */
const pastPicture = document.getElementById("past-picture") as HTMLDivElement;

function drawPast(): void {
  const info = sim.historyInfo;
  const oldest = info.oldestTimeMs ?? 0;
  ui.time.min = String(Math.ceil(oldest));
  ui.time.max = String(Math.floor(sim.now));
  if (ui.follow.checked) ui.time.value = ui.time.max;
  const t = Number(ui.time.value);
  ui.timeLabel.textContent = `${(t / 1_000).toFixed(1)} s of ${(sim.now / 1_000).toFixed(1)} s`;
  try {
    const state = sim.stateAt(t);
    // The picture of the past (render.renderClusterAt), with the text summary below it.
    pastPicture.innerHTML = ui.follow.checked ? "" : render.renderClusterAt(sim, t, { title: `The cluster at virtual ${(t / 1_000).toFixed(1)} s` });
    ui.past.textContent = summarize(state);
    ui.past.dataset.leader = state.leader?.host ?? "";
    ui.past.dataset.time = String(t);
  } catch (error) {
    ui.past.textContent = `no kept state at ${t} ms: ${error instanceof Error ? error.message : String(error)}`;
    ui.past.dataset.leader = "";
  }
}

function draw(): void {
  const leader = sim.leader();
  const tasks = liveTaskCount();
  ui.status.dataset.leader = leader?.host ?? "";
  ui.status.dataset.term = String(leader?.term ?? "");
  ui.status.dataset.now = String(sim.now);
  ui.status.dataset.tasks = String(tasks);
  ui.status.textContent =
    `virtual ${(sim.now / 1_000).toFixed(1)} s${paused ? " (paused)" : ""}; ` +
    `${leader === undefined ? "no leader" : `leader ${leader.host}, term ${leader.term}`}; ${tasks} running task(s)`;
  ui.cluster.innerHTML = render.renderCluster(sim);
  drawPast();
}

function tick(): void {
  const wallNow = performance.now();
  const elapsed = wallNow - lastWallMs;
  lastWallMs = wallNow;
  if (paused) return;
  act("advancing the clock", () => sim.runFor(Math.min(elapsed * Number(ui.speed.value), virtualStepMaxMs)));
}

ui.pause.addEventListener("click", () => {
  paused = !paused;
  ui.pause.textContent = paused ? "Resume" : "Pause";
  draw();
});
ui.advance.addEventListener("click", () => act("+10 s", () => sim.runFor(10_000)));
ui.crash.addEventListener("click", () => act("crash", () => { sim.faults.crash(ui.host.value); log(`crashed ${ui.host.value}`); }));
ui.restart.addEventListener("click", () => act("restart", () => { sim.faults.restart(ui.host.value); log(`restarted ${ui.host.value}`); }));
ui.isolate.addEventListener("click", () => act("isolate", () => { sim.faults.isolate(ui.host.value); log(`isolated ${ui.host.value}`); }));
ui.heal.addEventListener("click", () => act("heal", () => { sim.faults.heal(); log("healed every partition"); }));
ui.crashLeader.addEventListener("click", () =>
  act("crash the leader", () => {
    const leader = sim.leader();
    if (leader === undefined) return log("no leader to crash");
    sim.faults.crash(leader.host);
    log(`crashed the leader ${leader.host} (term ${leader.term})`);
  }),
);
ui.create.addEventListener("click", () => act("service create", () => docker("docker service create -d --name web --replicas 3 nginx")));
ui.scale.addEventListener("click", () => act("service scale", () => docker(`docker service scale -d web=${Math.max(0, Math.floor(Number(ui.replicas.value)))}`)));
ui.follow.addEventListener("change", drawPast);
ui.time.addEventListener("input", () => {
  ui.follow.checked = false;
  drawPast();
});

draw();
setInterval(tick, tickMs);
document.body.dataset.ready = "true";
