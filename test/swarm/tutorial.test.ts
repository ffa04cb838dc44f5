// Docker's own swarm tutorial ("Getting started with Swarm mode") through sim.exec, with the
// outputs asserted: init, add nodes, deploy helloworld (alpine ping docker.com), inspect,
// scale to 5, drain a node, delete the service.
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";

describe("Docker's swarm tutorial", () => {
  it("runs end to end with Docker's output", () => {
    const sim = new Simulation({ seed: "tutorial" });
    for (const name of ["manager1", "worker1", "worker2"]) sim.addHost(name);
    sim.runFor(1_000);
    const run = (host: string, line: string) => {
      const result = sim.exec(host, line);
      expect(result.exitCode, `${line}: ${result.stderr}`).toBe(0);
      return result.stdout;
    };

    const init = run("manager1", "docker swarm init --advertise-addr 10.0.0.1");
    expect(init).toMatch(/^Swarm initialized: current node \([0-9a-z]{25}\) is now a manager\.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 10\.0\.0\.1:2377\n\nTo add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions\.\n$/);
    const token = /--token (\S+)/.exec(init)![1]!;
    expect(run("manager1", "docker swarm join-token -q worker")).toBe(`${token}\n`);
    expect(run("worker1", `docker swarm join --token ${token} 10.0.0.1:2377`)).toBe("This node joined a swarm as a worker.\n");
    expect(run("worker2", `docker swarm join --token ${token} 10.0.0.1:2377`)).toBe("This node joined a swarm as a worker.\n");
    sim.runFor(10_000);

    const nodes = run("manager1", "docker node ls").split("\n");
    expect(nodes[0]).toBe("ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION");
    expect(nodes.filter((line) => / \* +manager1 +Ready +Active +Leader +28\.2\.2$/.test(line))).toHaveLength(1);
    expect(nodes.filter((line) => /^[0-9a-z]{25} +worker[12] +Ready +Active +28\.2\.2$/.test(line))).toHaveLength(2);

    const created = run("manager1", "docker service create --replicas 1 --name helloworld alpine ping docker.com");
    expect(created).toMatch(/^[0-9a-z]{25}\noverall progress: 0 out of 1 tasks\n/);
    expect(created).toMatch(/overall progress: 1 out of 1 tasks\n/);
    expect(run("manager1", "docker service ls")).toMatch(/^ID +NAME +MODE +REPLICAS +IMAGE +PORTS\n[0-9a-z]{12} +helloworld +replicated +1\/1 +alpine:latest +\n$/);
    expect(run("manager1", "docker service inspect --pretty helloworld")).toMatch(/Name:\t\thelloworld\nService Mode:\tReplicated\n Replicas:\t1\n[\s\S]*ContainerSpec:\n Image:\t\talpine:latest@sha256:[0-9a-f]{64}\n Args:\t\tping docker\.com/);
    expect(run("manager1", "docker service ps helloworld")).toMatch(
      /^ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR +PORTS\n[0-9a-z]{12} +helloworld\.1 +alpine:latest +(manager1|worker1|worker2) +Running +Running \d+ seconds ago +\n$/,
    );

    expect(run("manager1", "docker service scale helloworld=5")).toMatch(/^helloworld scaled to 5\n[\s\S]*overall progress: 5 out of 5 tasks\n/);
    const scaled = run("manager1", "docker service ps helloworld").trimEnd().split("\n").slice(1);
    expect(scaled).toHaveLength(5);
    expect(new Set(scaled.map((line) => line.split(/ +/)[3])).size).toBe(3); // spread over the three nodes

    expect(run("manager1", "docker node update --availability drain worker1")).toBe("worker1\n");
    sim.runFor(30_000);
    const drained = run("manager1", "docker service ps helloworld").trimEnd().split("\n").slice(1);
    const current = drained.filter((line) => !line.includes("\\_"));
    expect(current).toHaveLength(5);
    expect(current.every((line) => / Running +Running /.test(line) && !/ worker1 /.test(line))).toBe(true);
    expect(drained.filter((line) => line.includes("\\_")).every((line) => / worker1 +Shutdown +Shutdown /.test(line))).toBe(true);
    expect(run("manager1", "docker node ls")).toMatch(/worker1 +Ready +Drain /);

    expect(run("manager1", "docker service rm helloworld")).toBe("helloworld\n");
    sim.runFor(15_000);
    expect(run("manager1", "docker service ls")).toBe("ID        NAME      MODE      REPLICAS   IMAGE     PORTS\n");
    for (const host of ["manager1", "worker1", "worker2"]) expect(run(host, "docker ps -q")).toBe("");
  });
});
