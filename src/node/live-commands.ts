/// <reference types="node" />
/**
 * Node-only: the live-mode commands of the `swarmsim` command line.
 * `swarmsim serve [--seed S] [--managers N] [--workers N] [--speed X] [--port P] [--log FILE]`
 * runs a swarm on the wall clock and serves each host's Engine API;
 * `swarmsim fault (--crash|--restart|--isolate) HOST | --kill HOST:PROCESS | --heal [--admin URL]`
 * injects a fault into it; `swarmsim replay LOG` rebuilds a logged session.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLiveFault, replaySession, startLiveSwarm, type LiveFault } from "./live.js";

/** Where `swarmsim serve` leaves its admin URL for `swarmsim fault`. */
export const liveStateFile = join(tmpdir(), "swarmsim-live.json");

/** A wrong command line for the live commands. */
export class LiveUsageError extends Error {
  override readonly name = "LiveUsageError";
}

/** Where the live commands write. */
export interface LiveIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** `--name value` / `--name=value` options and bare flags. */
function parseFlags(argumentsList: readonly string[], valued: ReadonlySet<string>, bare: ReadonlySet<string>): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let index = 0; index < argumentsList.length; index++) {
    const argument = argumentsList[index]!;
    if (!argument.startsWith("--")) {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf("=");
    const name = equals === -1 ? argument : argument.slice(0, equals);
    if (bare.has(name)) {
      flags.set(name, "true");
      continue;
    }
    if (!valued.has(name)) throw new LiveUsageError(`unknown option ${name}`);
    const value = equals === -1 ? argumentsList[++index] : argument.slice(equals + 1);
    if (value === undefined || value === "") throw new LiveUsageError(`option ${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}

function wholeNumber(text: string | undefined, name: string, fallback: number, minimum: number, maximum: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < minimum || Number(text) > maximum) throw new LiveUsageError(`invalid ${name} ${JSON.stringify(text)}: expected a whole number from ${minimum} to ${maximum}`);
  return Number(text);
}

/** `swarmsim serve`: resolves when the session ends (SIGINT or SIGTERM, or a simulator crash). */
export async function serveCommand(argumentsList: readonly string[], io: LiveIo): Promise<number> {
  const { flags, positionals } = parseFlags(argumentsList, new Set(["--seed", "--managers", "--workers", "--speed", "--port", "--log"]), new Set());
  if (positionals.length > 0) throw new LiveUsageError(`unexpected argument ${positionals[0]}`);
  const speedText = flags.get("--speed");
  const speed = speedText === undefined ? 1 : Number(speedText);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new LiveUsageError(`invalid --speed ${JSON.stringify(speedText)}: expected a number > 0`);
  let crashed: unknown = null;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const live = await startLiveSwarm({
    ...(flags.has("--seed") ? { seed: flags.get("--seed")! } : {}),
    managers: wholeNumber(flags.get("--managers"), "--managers", 3, 1, 7),
    workers: wholeNumber(flags.get("--workers"), "--workers", 2, 0, 100),
    speed,
    portBase: wholeNumber(flags.get("--port"), "--port", 0, 0, 65_000),
    ...(flags.has("--log") ? { logPath: flags.get("--log")! } : {}),
    onCrash: (error) => {
      crashed = error;
      finish();
    },
  });
  writeFileSync(liveStateFile, JSON.stringify({ adminUrl: live.adminUrl, pid: process.pid }));
  const { seed, managers, workers } = live.settings;
  io.stdout.write(`swarmsim: a swarm of ${managers} managers and ${workers} workers (seed ${JSON.stringify(seed)}), virtual clock at ${speed}x wall time\n\n`);
  for (const server of live.servers) {
    io.stdout.write(`${server.host.padEnd(10)} export DOCKER_HOST=${server.url}    # or: docker context create ${server.host} --docker host=${server.url}\n`);
  }
  io.stdout.write(`\nfaults:    swarmsim fault --crash worker1   (admin ${live.adminUrl})\n`);
  if (flags.has("--log")) io.stdout.write(`log:       ${flags.get("--log")} (replay with: swarmsim replay ${flags.get("--log")})\n`);
  io.stdout.write("Ctrl-C stops.\n");
  const stop = (): void => finish();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await finished;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await live.stop();
  rmSync(liveStateFile, { force: true });
  if (crashed !== null) {
    io.stderr.write(`swarmsim: the simulation stopped: ${crashed instanceof Error ? crashed.message : String(crashed)}\n`);
    return 1;
  }
  return 0;
}

/** `swarmsim fault ...`: posts a fault to the running session's admin port. */
export async function faultCommand(argumentsList: readonly string[], io: LiveIo): Promise<number> {
  const { flags, positionals } = parseFlags(argumentsList, new Set(["--crash", "--restart", "--isolate", "--kill", "--admin"]), new Set(["--heal"]));
  if (positionals.length > 0) throw new LiveUsageError(`unexpected argument ${positionals[0]}`);
  const kinds = ["--crash", "--restart", "--isolate", "--kill", "--heal"].filter((name) => flags.has(name));
  if (kinds.length !== 1) throw new LiveUsageError("give exactly one of --crash HOST, --restart HOST, --isolate HOST, --kill HOST:PROCESS, --heal");
  const kind = kinds[0]!.slice(2);
  let fault: LiveFault;
  if (kind === "kill") {
    const [host, process] = flags.get("--kill")!.split(":");
    fault = parseLiveFault({ kind, host, process });
  } else fault = parseLiveFault({ kind, host: flags.get(`--${kind}`) });
  let adminUrl = flags.get("--admin");
  if (adminUrl === undefined) {
    try {
      adminUrl = (JSON.parse(readFileSync(liveStateFile, "utf8")) as { adminUrl: string }).adminUrl;
    } catch {
      throw new LiveUsageError(`no running "swarmsim serve" found (${liveStateFile}); give --admin URL`);
    }
  }
  const response = await fetch(`${adminUrl}/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) });
  const answer = (await response.json()) as { atMs?: number; message?: string };
  if (!response.ok) {
    io.stderr.write(`swarmsim: ${answer.message ?? `status ${response.status}`}\n`);
    return 1;
  }
  io.stdout.write(`${kind} ${"host" in fault ? fault.host : ""}${fault.kind === "kill" ? ` ${fault.process}` : ""} at virtual ${((answer.atMs ?? 0) / 1000).toFixed(3)}s\n`);
  return 0;
}

/** `swarmsim replay LOG`: rebuilds the session and reports whether every answer matched. */
export function replayCommand(argumentsList: readonly string[], io: LiveIo): number {
  const { positionals } = parseFlags(argumentsList, new Set(), new Set());
  if (positionals.length !== 1) throw new LiveUsageError("replay needs exactly one LOG file");
  const result = replaySession(readFileSync(positionals[0]!, "utf8"));
  io.stdout.write(`replayed ${result.requests} requests and ${result.faults} faults to virtual ${(result.sim.now / 1000).toFixed(3)}s; trace hash ${result.sim.traceHash()}\n`);
  for (const mismatch of result.mismatches) io.stdout.write(`  line ${mismatch.index}: ${mismatch.path} answered ${mismatch.replayed}, logged ${mismatch.logged}\n`);
  return result.mismatches.length === 0 ? 0 : 1;
}
