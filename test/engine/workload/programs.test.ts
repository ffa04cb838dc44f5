// Container programs: output lines, exit codes as the shim sees them, PID 1 signal semantics
// (sleep and ping ignore SIGTERM, servers honour it), OOM, the crasher, and resource usage.
import { describe, expect, it } from "vitest";
import { classifyCommand, programResourceUsage, resolveHostAddress } from "../../../src/engine/workload/programs.js";
import { lines, runProgram, specFor } from "./harness.js";

const nginxArgs = ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"];
const redisArgs = ["docker-entrypoint.sh", "redis-server"];

describe("choosing a program", () => {
  it("skips entrypoint wrappers and recognises shells", () => {
    expect(classifyCommand(nginxArgs)).toEqual({ kind: "nginx", wrapper: "/docker-entrypoint.sh", args: ["nginx", "-g", "daemon off;"] });
    expect(classifyCommand(redisArgs).kind).toBe("redis-server");
    expect(classifyCommand(["docker-entrypoint.sh", "--appendonly", "yes"]).args).toEqual(["redis-server", "--appendonly", "yes"]);
    expect(classifyCommand(["/bin/sh", "-c", "exit 3"]).kind).toBe("shell-script");
    expect(classifyCommand(["sh"]).kind).toBe("shell");
    expect(classifyCommand(["/usr/bin/stress", "--verbose", "--cpu", "1"]).kind).toBe("stress");
    expect(classifyCommand(["tail", "-f", "/dev/null"]).kind).toBe("generic");
  });
});

describe("servers", () => {
  it("nginx prints the official image's startup lines and stops on SIGQUIT at once", () => {
    const { sim, record } = runProgram(specFor(nginxArgs), [{ atMs: 1_000, signal: "SIGQUIT" }]);
    sim.runFor(500);
    const stdout = lines(record, "stdout");
    expect(stdout[0]).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
    expect(stdout.at(-1)).toBe("/docker-entrypoint.sh: Configuration complete; ready for start up");
    const stderr = lines(record, "stderr");
    expect(stderr[0]).toBe('2025/01/01 00:00:00 [notice] 1#1: using the "epoll" event method');
    expect(stderr).toContain("2025/01/01 00:00:00 [notice] 1#1: nginx/1.27.4");
    expect(stderr).toContain("2025/01/01 00:00:00 [notice] 1#1: start worker process 29");
    expect(record.exit).toBeNull();
    sim.runFor(1_000);
    expect(lines(record, "stderr")).toContain("2025/01/01 00:00:01 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down");
    expect(lines(record, "stderr")).toContain("2025/01/01 00:00:01 [notice] 29#29: gracefully shutting down");
    expect(lines(record, "stderr").at(-1)).toBe("2025/01/01 00:00:01 [notice] 1#1: exit");
    expect(record.exit).toMatchObject({ reason: "exit", exitCode: 0 });
    expect(record.exit!.timeMs).toBeLessThan(1_050);
  });

  it("nginx exits 0 on SIGTERM too", () => {
    const { sim, record } = runProgram(specFor(nginxArgs), [{ atMs: 2_000, signal: "SIGTERM" }]);
    sim.runFor(3_000);
    expect(lines(record, "stderr")).toContain("2025/01/01 00:00:02 [notice] 1#1: signal 15 (SIGTERM) received, exiting");
    expect(record.exit).toMatchObject({ exitCode: 0 });
  });

  it("redis prints its banner and shuts down on SIGTERM", () => {
    const { sim, record } = runProgram(specFor(redisArgs, { env: ["REDIS_VERSION=7.4.2"] }), [{ atMs: 5_000, signal: "SIGTERM" }]);
    sim.runFor(1_000);
    const stdout = lines(record, "stdout");
    expect(stdout).toContain("1:C 01 Jan 2025 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    expect(stdout).toContain("1:C 01 Jan 2025 00:00:00.000 * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started");
    expect(stdout.at(-1)).toMatch(/^1:M 01 Jan 2025 00:00:00\.\d{3} \* Ready to accept connections tcp$/);
    sim.runFor(5_000);
    const after = lines(record, "stdout");
    expect(after).toContain("1:signal-handler (1735689605) Received SIGTERM scheduling shutdown...");
    expect(after.at(-1)).toMatch(/# Redis is now ready to exit, bye bye\.\.\.$/);
    expect(record.exit).toMatchObject({ exitCode: 0 });
  });

  it("redis 3.0.6 prints the old banner", () => {
    const { sim, record } = runProgram(specFor(["/entrypoint.sh", "redis-server"], { env: ["REDIS_VERSION=3.0.6"] }));
    sim.runFor(1_000);
    const stdout = lines(record, "stdout");
    expect(stdout).toContain("1:M 01 Jan 00:00:00.000 # Server started, Redis version 3.0.6");
    expect(stdout.at(-1)).toMatch(/The server is now ready to accept connections on port 6379$/);
  });

  it("httpd logs its notices and stops on SIGTERM", () => {
    const { sim, record } = runProgram(specFor(["httpd-foreground"]), [{ atMs: 100, signal: "SIGTERM" }]);
    sim.runFor(1_000);
    expect(lines(record, "stderr")[0]).toMatch(/^\[Wed Jan 01 00:00:00\.000000 2025\] \[mpm_event:notice\] \[pid 1:tid \d+\] AH00489: Apache\/2\.4\.63 \(Unix\) configured -- resuming normal operations$/);
    expect(lines(record, "stderr").at(-1)).toMatch(/AH00491: caught SIGTERM, shutting down$/);
    expect(record.exit).toMatchObject({ exitCode: 0 });
  });
});

describe("PID 1 without handlers", () => {
  it("sleep exits 0 after its time and ignores SIGTERM", () => {
    const { sim, record } = runProgram(specFor(["sleep", "5"]), [{ atMs: 1_000, signal: "SIGTERM" }]);
    sim.runFor(4_900);
    expect(record.exit).toBeNull();
    sim.runFor(200);
    expect(record.exit).toMatchObject({ exitCode: 0 });
    expect(record.exit!.timeMs).toBeGreaterThanOrEqual(5_000);
  });

  it("sleep infinity never ends, and SIGKILL by the shim (killing it) is the only way out", () => {
    const { sim, record } = runProgram(specFor(["sleep", "infinity"]), [{ atMs: 1_000, signal: "SIGTERM" }, { atMs: 2_000, signal: "SIGINT" }]);
    sim.runFor(10 * 86_400_000);
    expect(record.exit).toBeNull();
    sim.faults.kill("node1", "program");
    sim.runFor(10);
    expect(record.exit).toMatchObject({ exitCode: 137 });
  });

  it("sh without a terminal exits at once; with one it waits", () => {
    const plain = runProgram(specFor(["/bin/sh"]));
    plain.sim.runFor(10);
    expect(plain.record.exit).toMatchObject({ exitCode: 0 });
    const interactive = runProgram(specFor(["/bin/sh"], { terminal: true }), [{ atMs: 5, signal: "SIGTERM" }]);
    interactive.sim.runFor(60_000);
    expect(interactive.record.exit).toBeNull();
  });

  it("an unrecognised program runs until killed", () => {
    const { sim, record } = runProgram(specFor(["tail", "-f", "/dev/null"]), [{ atMs: 5, signal: "SIGTERM" }]);
    sim.runFor(3_600_000);
    expect(record.exit).toBeNull();
    expect(record.received).toEqual([]);
  });
});

describe("ping", () => {
  it("prints busybox lines once a second and the statistics with -c", () => {
    const { sim, record } = runProgram(specFor(["ping", "-c", "3", "docker.com"]));
    sim.runFor(10_000);
    const address = resolveHostAddress("docker.com");
    const stdout = lines(record, "stdout");
    expect(stdout[0]).toBe(`PING docker.com (${address}): 56 data bytes`);
    for (let sequence = 0; sequence < 3; sequence++) {
      expect(stdout[sequence + 1]).toMatch(new RegExp(`^64 bytes from ${address.replaceAll(".", "\\.")}: seq=${sequence} ttl=\\d+ time=\\d+\\.\\d{3} ms$`));
    }
    expect(stdout.slice(4, 7)).toEqual(["", "--- docker.com ping statistics ---", "3 packets transmitted, 3 packets received, 0% packet loss"]);
    expect(stdout[7]).toMatch(/^round-trip min\/avg\/max = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/);
    expect(record.exit).toMatchObject({ exitCode: 0 });
    const replyTimes = record.received.filter((entry) => entry.message.text?.startsWith("64 bytes")).map((entry) => entry.timeMs);
    expect(replyTimes[1]! - replyTimes[0]!).toBeCloseTo(1_000, -2);
  });

  it("is deterministic per seed and ignores SIGTERM but stops on SIGINT", () => {
    const first = runProgram(specFor(["ping", "10.0.0.9"]), [{ atMs: 2_500, signal: "SIGTERM" }, { atMs: 4_500, signal: "SIGINT" }], "same");
    const second = runProgram(specFor(["ping", "10.0.0.9"]), [{ atMs: 2_500, signal: "SIGTERM" }, { atMs: 4_500, signal: "SIGINT" }], "same");
    first.sim.runFor(10_000);
    second.sim.runFor(10_000);
    expect(lines(first.record)).toEqual(lines(second.record));
    expect(lines(first.record)).toContain("5 packets transmitted, 5 packets received, 0% packet loss");
    expect(first.record.exit).toMatchObject({ exitCode: 0 });
    expect(first.record.exit!.timeMs).toBeGreaterThan(4_500);
  });
});

describe("short programs and shell scripts", () => {
  it("echo, true and false", () => {
    const echo = runProgram(specFor(["echo", "hello", "world"]));
    echo.sim.runFor(10);
    expect(lines(echo.record, "stdout")).toEqual(["hello world"]);
    expect(echo.record.exit).toMatchObject({ exitCode: 0 });
    for (const [program, code] of [["true", 0], ["false", 1]] as const) {
      const run = runProgram(specFor([program]));
      run.sim.runFor(10);
      expect(run.record.exit).toMatchObject({ exitCode: code });
    }
  });

  it("sh -c runs sequences, loops and exits with the script's status", () => {
    const exit3 = runProgram(specFor(["sh", "-c", "exit 3"]));
    exit3.sim.runFor(10);
    expect(exit3.record.exit).toMatchObject({ exitCode: 3 });

    const script = runProgram(specFor(["/bin/sh", "-c", "echo start; for i in 1 2 3; do echo n=$i; done; false || echo \"fallback $HOSTNAME\"; nosuch; exit 4"]));
    script.sim.runFor(1_000);
    expect(lines(script.record, "stdout")).toEqual(["start", "n=1", "n=2", "n=3", "fallback c0ffee"]);
    expect(lines(script.record, "stderr")).toEqual(["sh: nosuch: not found"]);
    expect(script.record.exit).toMatchObject({ exitCode: 4 });

    const loop = runProgram(specFor(["sh", "-c", "while true; do echo hello; sleep 1; done"]), [{ atMs: 500, signal: "SIGTERM" }]);
    loop.sim.runFor(10_500);
    expect(lines(loop.record, "stdout")).toEqual(Array.from({ length: 11 }, () => "hello"));
    expect(loop.record.exit).toBeNull();
  });
});

describe("crasher and stress", () => {
  it("the crasher exits with EXIT_CODE after CRASH_AFTER_SECONDS", () => {
    const { sim, record } = runProgram(specFor(["crasher"], { env: ["CRASH_AFTER_SECONDS=3", "EXIT_CODE=42"] }));
    sim.runFor(2_900);
    expect(lines(record, "stdout")).toEqual(["crasher: started; crashing with exit code 42 in 3s"]);
    expect(record.exit).toBeNull();
    sim.runFor(200);
    expect(record.exit).toMatchObject({ exitCode: 42 });
    const defaults = runProgram(specFor(["crasher"]));
    defaults.sim.runFor(6_000);
    expect(defaults.record.exit).toMatchObject({ exitCode: 1 });
    expect(defaults.record.exit!.timeMs).toBeCloseTo(5_000, -1);
  });

  it("stress over its memory limit tells the shim OOM and exits 137", () => {
    const spec = specFor(["/usr/bin/stress", "--verbose", "--vm", "1", "--vm-bytes", "256M"], { memoryLimitBytes: 128 * 2 ** 20 });
    const { sim, record } = runProgram(spec);
    sim.runFor(5_000);
    expect(lines(record, "stdout")[0]).toBe("stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd");
    expect(lines(record, "stdout")).toContain("stress: dbug: [6] allocating 268435456 bytes ...");
    const oom = record.received.find((entry) => entry.message.oom === true);
    expect(oom).toBeDefined();
    expect(record.exit).toMatchObject({ exitCode: 137 });
    expect(oom!.timeMs).toBeLessThanOrEqual(record.exit!.timeMs);
  });

  it("stress with --timeout succeeds; without, it runs on and ignores SIGTERM", () => {
    const timed = runProgram(specFor(["/usr/bin/stress", "--verbose", "--cpu", "2", "--vm", "1", "--vm-bytes", "64M", "--timeout", "30s"], { memoryLimitBytes: 2 ** 30 }));
    timed.sim.runFor(29_000);
    expect(timed.record.exit).toBeNull();
    timed.sim.runFor(2_000);
    expect(lines(timed.record, "stdout").at(-1)).toBe("stress: info: [1] successful run completed in 30s");
    expect(lines(timed.record, "stdout")).toContain("stress: dbug: [1] using backoff sleep of 9000us");
    expect(timed.record.exit).toMatchObject({ exitCode: 0 });

    const forever = runProgram(specFor(["/usr/bin/stress", "--cpu", "1"]), [{ atMs: 100, signal: "SIGTERM" }]);
    forever.sim.runFor(3_600_000);
    expect(forever.record.exit).toBeNull();
  });

  it("reports the resources programs use, capped by the limits", () => {
    const stress = specFor(["/usr/bin/stress", "--verbose", "--cpu", "2", "--vm", "1", "--vm-bytes", "256M"]);
    expect(programResourceUsage(stress)).toEqual({ cpuCores: 3, memoryBytes: 1_048_576 + 256 * 2 ** 20 });
    const capped = specFor(["/usr/bin/stress", "--cpu", "4"], { cpuQuota: 50_000, memoryLimitBytes: 2 ** 20 });
    expect(programResourceUsage(capped)).toEqual({ cpuCores: 0.5, memoryBytes: 2 ** 20 });
    expect(programResourceUsage(specFor(nginxArgs)).cpuCores).toBe(0);
    expect(programResourceUsage(specFor(nginxArgs)).memoryBytes).toBeGreaterThan(0);
  });
});
