// The main demo: one Docker host, built as real Docker builds it. It runs containers with the
// real docker command lines, shows who is whose parent (dockerd -> containerd -> shim -> runC ->
// container), then kills dockerd and containerd to show what survives, and crashes the host.
// Run it with `npm run demo`: the same seed prints the same output every time.
import { Simulation, formatProcessTree, formatTraceEvent } from "swarmsim";

const sim = new Simulation({ seed: "demo" });
sim.addHost("node1", { cpus: 4, memoryBytes: 8 * 2 ** 30 });

function run(line: string): void {
  const result = sim.exec("node1", line);
  console.log(`node1$ ${line}`);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stdout.write(result.stderr);
  if (result.exitCode !== 0) console.log(`(exit code ${result.exitCode})`);
  console.log();
}

function section(title: string): void {
  console.log(`\n=== ${title} (virtual time ${(sim.now / 1000).toFixed(3)} s)\n`);
}

section("Containers");
const before = sim.trace.length;
run("docker run -d --name web --restart always -p 8080:80 nginx");
console.log("What that one command did, layer by layer:");
for (const event of sim.trace.slice(before)) {
  if (/^(engine\.container|containerd\.|shim\.|runc\.)/.test(event.type)) console.log(formatTraceEvent(event));
}
console.log();
run("docker run -d --name pinger alpine ping docker.com");
sim.runFor(3_000);
run("docker ps");
run("docker logs pinger");
console.log(formatProcessTree(sim.host("node1").processes()));

section("Stopping: nginx handles SIGTERM, ping as PID 1 does not");
let start = sim.now;
run("docker stop web");
console.log(`stopping web took ${(sim.now - start).toFixed(1)} ms of virtual time\n`);
start = sim.now;
run("docker stop pinger");
console.log(`stopping pinger took ${(sim.now - start).toFixed(1)} ms: the 10 s grace period, then SIGKILL\n`);
run("docker ps -a");

section("Killing dockerd: containers keep running under their shims");
run("docker start web");
sim.faults.kill("node1", "dockerd");
run("docker ps");
console.log(formatProcessTree(sim.host("node1").processes()));
sim.faults.restart("node1", "dockerd");
sim.runFor(15_000);
console.log("dockerd is back; without live-restore it stopped web, then its restart policy started it again:");
run("docker ps");

section("Killing containerd: the shim keeps the container");
sim.faults.kill("node1", "containerd");
sim.runFor(2_000);
console.log(formatProcessTree(sim.host("node1").processes()));
sim.faults.restart("node1", "containerd");
sim.runFor(2_000);
run("docker ps");

section("Crashing the host");
sim.faults.crash("node1");
sim.runFor(5_000);
sim.faults.restart("node1");
sim.runFor(10_000);
run("docker ps -a");

console.log(`trace: ${sim.traceInfo.recordedCount} events, hash ${sim.traceHash()}`);
