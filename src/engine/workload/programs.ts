/**
 * The programs containers run. `createProgram` reads the OCI spec's `process.args`, skips the
 * images' entrypoint wrappers, and returns a process behaviour that acts like the real program:
 * nginx, redis-server and httpd print their real startup lines and stop cleanly on their stop
 * signals; sleep, ping, echo, true/false, `sh -c` scripts, the busybox applets of `applets.ts`
 * (hostname, ls, ps, env, cat, ...), swarmsim's crasher and progrium's stress do what they do;
 * anything else runs until killed. `executableExists` is the `exec.LookPath` of `runc exec`. Output goes to the shim as
 * {@link StdioMessage}s; the shim forwards signals as {@link SignalMessage}s.
 *
 * PID 1 semantics: the kernel ignores a signal sent to a namespace's PID 1 unless the program
 * installed a handler, so programs without one (sleep, ping for SIGTERM, sh, generic) ignore
 * SIGTERM and `docker stop` waits out its grace period before the shim's SIGKILL.
 */
import { Coroutines, sleep, type Coroutine } from "../../sim/coroutine.js";
import type { ProcessBehaviour, ProcessContext } from "../../sim/process.js";
import { parseStartTime, defaultStartTime } from "../../sim/calendar.js";
import { hashText } from "../../sim/hash.js";
import type { OciSpec } from "../../containerd/oci.js";
import type { OomMessage, ProgramOptions, SignalMessage, StdioMessage } from "./protocol.js";
import { httpdTime, legacyRedisTime, nginxTime, parseSleepSeconds, parseStressOptions, redisTime, type StressOptions } from "./formats.js";
import { parseScript, runScript, type ShellScript } from "./shell.js";
import { appletEnvironmentOf, appletNames, environmentOf, isOtherProgram, runApplet } from "./applets.js";

// ---------------------------------------------------------------- constants

/** Entrypoint wrappers that set up and then `exec "$@"`: the program is what follows them. */
export const entrypointWrappers: readonly string[] = [
  "/docker-entrypoint.sh",
  "docker-entrypoint.sh",
  "/usr/local/bin/docker-entrypoint.sh",
  "/entrypoint.sh",
];

/** The exit code of a process killed by the OOM killer (128 + SIGKILL). */
export const oomExitCode = 137;
/** How long stress runs before its memory hog crosses the limit and the OOM killer strikes, in ms. */
export const stressOomDelayMs = 200;
/** How long nginx's entrypoint scripts take before nginx starts, in ms. */
const nginxEntrypointMs = 40;
/** How long a server takes from a stop signal to its exit, in ms (they exit "promptly"). */
export const serverShutdownMs = 5;
/** How long redis takes to initialise before it accepts connections, in ms. */
const redisStartupMs = 2;
/** The worker processes nginx starts when the container has no CPU quota (the default host's CPUs). */
const nginxDefaultWorkerCount = 2;
/** Bound `nginxWorkerCountMax`: nginx's `worker_processes auto` follows the CPUs; cap the lines. */
const nginxWorkerCountMax = 64;
/** The pid of nginx's first worker in the official image (after the entrypoint scripts' pids). */
const nginxFirstWorkerPid = 29;
/** The pid of stress's first worker. */
const stressFirstWorkerPid = 6;
/** The kernel release nginx reports (`OS: Linux ...`): the simulated hosts' kernel. */
export const hostKernelRelease = "6.8.0-51-generic";
/** Bound `stressWorkersMax`: most stress workers shown one line each. */
const stressWorkersMax = 1024;
/** Milliseconds per second. */
const millisecondsPerSecond = 1000;
/** Default CRASH_AFTER_SECONDS of swarmsim/crasher. */
export const crasherDefaultAfterSeconds = 5;
/** Default EXIT_CODE of swarmsim/crasher. */
export const crasherDefaultExitCode = 1;
/** The length of one wait of a program that never ends (a day), in ms. */
const foreverStepMs = 86_400_000;

// ---------------------------------------------------------------- choosing a program

/** Which simulated program runs. */
export type ProgramKind =
  | "nginx"
  | "redis-server"
  | "httpd"
  | "sleep"
  | "ping"
  | "echo"
  | "true"
  | "false"
  | "shell-script"
  | "shell"
  | "crasher"
  | "stress"
  | "applet"
  | "generic";

/** The program a command line runs, after its entrypoint wrapper. */
export interface ProgramCommand {
  readonly kind: ProgramKind;
  /** The wrapper that ran first (`/docker-entrypoint.sh`), or null. */
  readonly wrapper: string | null;
  /** The program's argv (argv[0] first), without the wrapper. */
  readonly args: readonly string[];
}

/** The last component of a path: `/usr/bin/stress` -> `stress`. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

const kindsByName: Readonly<Record<string, ProgramKind>> = {
  nginx: "nginx",
  "nginx-debug": "nginx",
  "redis-server": "redis-server",
  httpd: "httpd",
  "httpd-foreground": "httpd",
  sleep: "sleep",
  ping: "ping",
  echo: "echo",
  true: "true",
  false: "false",
  sh: "shell",
  ash: "shell",
  bash: "shell",
  crasher: "crasher",
  stress: "stress",
  ...Object.fromEntries([...appletNames].map((name) => [name, "applet" as const])),
};

/** Picks the program for a command line (`spec.process.args`). */
export function classifyCommand(args: readonly string[]): ProgramCommand {
  let wrapper: string | null = null;
  let rest = args;
  if (rest.length > 0 && entrypointWrappers.includes(rest[0]!)) {
    wrapper = rest[0]!;
    rest = rest.slice(1);
    // The redis entrypoint turns `-f`, `--option` or `x.conf` into `redis-server ...`.
    if (wrapper !== "/docker-entrypoint.sh" && rest.length > 0 && (rest[0]!.startsWith("-") || rest[0]!.endsWith(".conf"))) {
      rest = ["redis-server", ...rest];
    }
  }
  const name = rest.length === 0 ? "" : baseName(rest[0]!);
  let kind: ProgramKind = Object.hasOwn(kindsByName, name) ? kindsByName[name]! : "generic";
  if (kind === "shell" && rest[1] === "-c") kind = "shell-script";
  return { kind, wrapper, args: rest };
}

// ---------------------------------------------------------------- the program base

function isSignalMessage(message: unknown): message is SignalMessage {
  return typeof message === "object" && message !== null && typeof (message as { signal?: unknown }).signal === "string";
}

/** What every program shares: output to the shim, the clock, coroutines, and exiting once. */
abstract class Program implements ProcessBehaviour {
  protected context!: ProcessContext;
  protected coroutines!: Coroutines;
  protected readonly variables: Map<string, string>;
  private finished = false;

  constructor(
    protected readonly options: ProgramOptions,
    protected readonly command: ProgramCommand,
  ) {
    this.variables = environmentOf(options.spec);
  }

  start(context: ProcessContext): void {
    this.context = context;
    this.coroutines = new Coroutines(context);
    this.onStart();
  }

  receive(_context: ProcessContext, message: unknown): void {
    if (isSignalMessage(message) && !this.finished) this.onSignal(message.signal);
  }

  timer(_context: ProcessContext, payload: unknown): void {
    this.coroutines.timer(payload);
  }

  /** The program starts. */
  protected abstract onStart(): void;

  /** A signal from the shim. By default ignored, as the kernel does for a PID 1 without a handler. */
  protected onSignal(_signal: string): void {}

  /** Runs a sequential part of the program. */
  protected run(coroutine: Coroutine<void>): void {
    this.coroutines.start(coroutine);
  }

  /** Writes a line to stdout. */
  protected out(text: string): void {
    if (this.finished) return;
    this.context.send(this.context.host, this.options.shimProcess, { stdio: "stdout", text } satisfies StdioMessage);
  }

  /** Writes a line to stderr. */
  protected err(text: string): void {
    if (this.finished) return;
    this.context.send(this.context.host, this.options.shimProcess, { stdio: "stderr", text } satisfies StdioMessage);
  }

  /** Ends the program with `code` (once). */
  protected exit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.context.exit(code);
  }

  /** Wall-clock time now, ms since the Unix epoch. */
  protected wallTimeMs(): number {
    return this.context.wallTimeMs;
  }

  /** Waits forever. */
  protected *forever(): Coroutine<void> {
    for (;;) yield* sleep(foreverStepMs);
  }
}


// ---------------------------------------------------------------- simple programs

/** A program that runs until killed and ignores every catchable signal (PID 1, no handlers). */
class GenericProgram extends Program {
  protected onStart(): void {}
}

/** A program that reads stdin until EOF (sh, cat without a terminal): ends at once with 0. */
class EndOfInputProgram extends Program {
  protected onStart(): void {
    this.exit(0);
  }
}

/** `true`, `false`, `echo ...`: print, then exit. */
class ImmediateProgram extends Program {
  constructor(
    options: ProgramOptions,
    command: ProgramCommand,
    private readonly lines: readonly string[],
    private readonly code: number,
  ) {
    super(options, command);
  }

  protected onStart(): void {
    for (const line of this.lines) this.out(line);
    this.exit(this.code);
  }
}

/** busybox `echo`: `-n` (no newline) and `-e` are options; the rest is printed joined by spaces. */
function echoLine(args: readonly string[]): string {
  let index = 0;
  while (index < args.length && /^-[neE]+$/.test(args[index]!)) index++;
  return args.slice(index).join(" ");
}

/** `sleep N`: exits 0 after N seconds; `sleep infinity` never does. SIGTERM is ignored (no handler). */
class SleepProgram extends Program {
  protected onStart(): void {
    const seconds = parseSleepSeconds(this.command.args.slice(1));
    if (!seconds.ok) {
      this.err(seconds.error);
      this.exit(1);
      return;
    }
    const total = seconds.value;
    this.run(
      function* (this: SleepProgram): Coroutine<void> {
        if (total === Infinity) yield* this.forever();
        yield* sleep(total * millisecondsPerSecond);
        this.exit(0);
      }.call(this),
    );
  }
}

/** A busybox applet (hostname, ls, ps, env, cat FILE, ...): prints, then exits with its status; `cat` without files reads its input. */
class AppletProgram extends Program {
  protected onStart(): void {
    const [argv0, ...args] = this.command.args;
    const name = argv0 === undefined ? "" : argv0.slice(argv0.lastIndexOf("/") + 1);
    const result = runApplet(name, args, appletEnvironmentOf(this.options.spec, this.options.processes, () => this.wallTimeMs()));
    if (result === null) {
      // `cat` reading its input: at its end at once without a terminal, waiting forever with one.
      if (!this.options.spec.process.terminal) this.exit(0);
      return;
    }
    for (const line of result.out) this.out(line);
    for (const line of result.err) this.err(line);
    this.exit(result.code);
  }
}

/** `sh -c "script"`: runs the script; unsupported syntax runs as a generic long-running process. */
class ShellScriptProgram extends Program {
  protected onStart(): void {
    const script: ShellScript | null = parseScript(this.command.args[2] ?? "");
    if (script === null) return;
    const applets = appletEnvironmentOf(this.options.spec, this.options.processes, () => this.wallTimeMs());
    const environment = {
      out: (text: string) => this.out(text),
      err: (text: string) => this.err(text),
      variables: this.variables,
      hostname: this.options.spec.hostname,
      wallTimeMs: () => this.wallTimeMs(),
      applet: (name: string, args: readonly string[]) => runApplet(name, args, applets),
    };
    this.run(
      function* (this: ShellScriptProgram): Coroutine<void> {
        const status = yield* runScript(script, environment);
        this.exit(status);
      }.call(this),
    );
  }
}

/** swarmsim/crasher: logs a line, then exits with EXIT_CODE after CRASH_AFTER_SECONDS. Stops on SIGTERM/SIGINT. */
class CrasherProgram extends Program {
  protected onStart(): void {
    const afterSeconds = Number(this.variables.get("CRASH_AFTER_SECONDS") ?? crasherDefaultAfterSeconds);
    const exitCode = Number.parseInt(this.variables.get("EXIT_CODE") ?? String(crasherDefaultExitCode), 10);
    const delaySeconds = Number.isFinite(afterSeconds) && afterSeconds >= 0 ? afterSeconds : crasherDefaultAfterSeconds;
    const code = Number.isFinite(exitCode) ? exitCode & 255 : crasherDefaultExitCode;
    this.out(`crasher: started; crashing with exit code ${code} in ${delaySeconds}s`);
    this.run(
      function* (this: CrasherProgram): Coroutine<void> {
        yield* sleep(delaySeconds * millisecondsPerSecond);
        this.err(`crasher: crashing now with exit code ${code}`);
        this.exit(code);
      }.call(this),
    );
  }

  protected override onSignal(signal: string): void {
    if (signal !== "SIGTERM" && signal !== "SIGINT") return;
    this.out(`crasher: received ${signal}, exiting`);
    this.exit(0);
  }
}

// ---------------------------------------------------------------- ping

/** A host name's simulated IPv4 address (stable per name); IPv4 literals are themselves. */
export function resolveHostAddress(host: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  const hash = hashText(`resolve/${host}`);
  const octet = (index: number) => Number.parseInt(hash.slice(index * 2, index * 2 + 2), 16);
  return `${(octet(0) % 223) + 1}.${octet(1)}.${octet(2)}.${(octet(3) % 254) + 1}`;
}

/** busybox ping: one echo a second; `-c N` stops after N replies with the statistics. */
class PingProgram extends Program {
  private host = "";
  private address = "";
  private transmitted = 0;
  private received = 0;
  private minimumMicroseconds = Infinity;
  private maximumMicroseconds = 0;
  private sumMicroseconds = 0;

  protected onStart(): void {
    const args = this.command.args.slice(1);
    let count = 0;
    let payloadBytes = 56;
    let quiet = false;
    const operands: string[] = [];
    for (let index = 0; index < args.length; index++) {
      const argument = args[index]!;
      if (argument === "-c" || argument === "-s" || argument === "-W" || argument === "-w" || argument === "-t" || argument === "-I") {
        const value = args[++index];
        if (argument === "-c") count = Number.parseInt(value ?? "0", 10);
        if (argument === "-s") payloadBytes = Number.parseInt(value ?? "56", 10);
      } else if (/^-c\d+$/.test(argument)) {
        count = Number.parseInt(argument.slice(2), 10);
      } else if (argument === "-q") {
        quiet = true;
      } else if (argument === "-4" || argument === "-6") {
        // Address family: the simulation has IPv4 only.
      } else {
        operands.push(argument);
      }
    }
    if (operands.length === 0) {
      this.err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.");
      this.err("");
      this.err("Usage: ping [OPTIONS] HOST");
      this.exit(1);
      return;
    }
    this.host = operands[0]!;
    this.address = resolveHostAddress(this.host);
    const hash = hashText(`route/${this.host}`);
    // The container's own loopback crosses no router: Linux's TTL 64 comes back as sent, in microseconds.
    const loopback = this.address.startsWith("127.");
    const baseRoundTripMs = loopback ? 0.03 : 2 + (Number.parseInt(hash.slice(0, 4), 16) % 40);
    const ttl = loopback ? 64 : 36 + (Number.parseInt(hash.slice(4, 6), 16) % 28);
    const replyBytes = payloadBytes + 8;
    this.out(`PING ${this.host} (${this.address}): ${payloadBytes} data bytes`);
    this.run(
      function* (this: PingProgram): Coroutine<void> {
        for (let sequence = 0; count <= 0 || sequence < count; sequence++) {
          this.transmitted++;
          const roundTripMicroseconds = Math.round((baseRoundTripMs + this.context.random.uniform(0, loopback ? 0.1 : 3)) * 1000);
          yield* sleep(roundTripMicroseconds / 1000);
          this.received++;
          this.sumMicroseconds += roundTripMicroseconds;
          this.minimumMicroseconds = Math.min(this.minimumMicroseconds, roundTripMicroseconds);
          this.maximumMicroseconds = Math.max(this.maximumMicroseconds, roundTripMicroseconds);
          if (!quiet) this.out(`${replyBytes} bytes from ${this.address}: seq=${sequence} ttl=${ttl} time=${milliseconds(roundTripMicroseconds)} ms`);
          if (count > 0 && sequence + 1 >= count) break;
          yield* sleep(millisecondsPerSecond - roundTripMicroseconds / 1000);
        }
        this.finish();
      }.call(this),
    );
  }

  /** busybox installs a SIGINT handler (print the statistics and exit); SIGTERM has none, so PID 1 ignores it. */
  protected override onSignal(signal: string): void {
    if (signal === "SIGINT") this.finish();
  }

  private finish(): void {
    const loss = this.transmitted === 0 ? 0 : Math.floor(((this.transmitted - this.received) * 100) / this.transmitted);
    this.out("");
    this.out(`--- ${this.host} ping statistics ---`);
    this.out(`${this.transmitted} packets transmitted, ${this.received} packets received, ${loss}% packet loss`);
    if (this.received > 0) {
      const average = Math.floor(this.sumMicroseconds / this.received);
      this.out(`round-trip min/avg/max = ${milliseconds(this.minimumMicroseconds)}/${milliseconds(average)}/${milliseconds(this.maximumMicroseconds)} ms`);
    }
    this.exit(this.received === 0 ? 1 : 0);
  }
}

/** Microseconds as busybox prints them: `12.345`. */
function milliseconds(microseconds: number): string {
  return `${Math.floor(microseconds / 1000)}.${String(microseconds % 1000).padStart(3, "0")}`;
}

// ---------------------------------------------------------------- servers

/** CPUs the container may use, from its CPU quota; undefined when unlimited. */
function quotaCores(spec: OciSpec): number | undefined {
  const cpu = spec.linux.resources?.cpu;
  if (cpu?.quota === undefined || cpu.period === undefined || cpu.quota <= 0 || cpu.period <= 0) return undefined;
  return cpu.quota / cpu.period;
}

/** nginx (official image): entrypoint lines on stdout, notices on stderr; SIGQUIT graceful, SIGTERM/SIGINT fast. */
class NginxProgram extends Program {
  private workerPids: number[] = [];
  private stopping = false;

  protected onStart(): void {
    const cores = quotaCores(this.options.spec);
    const workerCount = Math.min(nginxWorkerCountMax, cores === undefined ? nginxDefaultWorkerCount : Math.max(1, Math.ceil(cores)));
    this.workerPids = Array.from({ length: workerCount }, (_, index) => nginxFirstWorkerPid + index);
    const viaEntrypoint = this.command.wrapper !== null && baseName(this.command.args[0] ?? "").startsWith("nginx");
    this.run(
      function* (this: NginxProgram): Coroutine<void> {
        if (viaEntrypoint) {
          const script = this.command.wrapper!;
          this.out(`${script}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration`);
          this.out(`${script}: Looking for shell scripts in /docker-entrypoint.d/`);
          this.out(`${script}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh`);
          this.out("10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf");
          this.out("10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf");
          this.out(`${script}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh`);
          this.out(`${script}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh`);
          this.out(`${script}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh`);
          this.out(`${script}: Configuration complete; ready for start up`);
          yield* sleep(nginxEntrypointMs);
        }
        if (this.stopping) return;
        const debian = (this.variables.get("PKG_RELEASE") ?? "~bookworm").includes("~");
        const version = this.variables.get("NGINX_VERSION") ?? "1.27.4";
        this.notice(1, 'using the "epoll" event method');
        this.notice(1, `nginx/${version}`);
        this.notice(1, debian ? "built by gcc 12.2.0 (Debian 12.2.0-14) " : "built by gcc 14.2.0 (Alpine 14.2.0)");
        this.notice(1, `OS: Linux ${hostKernelRelease}`);
        this.notice(1, "getrlimit(RLIMIT_NOFILE): 1048576:1048576");
        this.notice(1, "start worker processes");
        for (const pid of this.workerPids) this.notice(1, `start worker process ${pid}`);
      }.call(this),
    );
  }

  private notice(pid: number, text: string): void {
    this.err(`${nginxTime(this.wallTimeMs())} [notice] ${pid}#${pid}: ${text}`);
  }

  protected override onSignal(signal: string): void {
    const numbers: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };
    const number = numbers[signal];
    if (number === undefined || this.stopping) return;
    if (signal === "SIGHUP") {
      this.notice(1, `signal 1 (SIGHUP) received, reconfiguring`);
      this.notice(1, "reconfiguring");
      return;
    }
    this.stopping = true;
    const graceful = signal === "SIGQUIT";
    this.notice(1, `signal ${number} (${signal}) received, ${graceful ? "shutting down" : "exiting"}`);
    this.run(
      function* (this: NginxProgram): Coroutine<void> {
        if (graceful) for (const pid of this.workerPids) this.notice(pid, "gracefully shutting down");
        for (const pid of this.workerPids) this.notice(pid, "exiting");
        for (const pid of this.workerPids) this.notice(pid, "exit");
        yield* sleep(serverShutdownMs);
        for (const pid of this.workerPids) {
          this.notice(1, `signal 17 (SIGCHLD) received from ${pid}`);
          this.notice(1, `worker process ${pid} exited with code 0`);
        }
        this.notice(1, "exit");
        this.exit(0);
      }.call(this),
    );
  }
}

/** The redis 3.0 startup logo (redis 3.0.6 `asciilogo.h`), lines without their trailing spaces trimmed. */
function legacyRedisLogo(version: string): string[] {
  return [
    "                _._                                                  ",
    "           _.-``__ ''-._                                             ",
    `      _.-\`\`    \`.  \`_.  ''-._           Redis ${version} (00000000/0) 64 bit`,
    "  .-`` .-```.  ```\\/    _.,_ ''-._                                   ",
    " (    '      ,       .-`  | `,    )     Running in standalone mode",
    " |`-._`-...-` __...-.``-._|'` _.-'|     Port: 6379",
    " |    `-._   `._    /     _.-'    |     PID: 1",
    "  `-._    `-._  `-./  _.-'    _.-'                                   ",
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
    " |    `-._`-._        _.-'_.-'    |           http://redis.io        ",
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
    " |    `-._`-._        _.-'_.-'    |                                  ",
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
    "      `-._    `-.__.-'    _.-'                                       ",
    "          `-._        _.-'                                           ",
    "              `-.__.-'                                               ",
    "",
  ];
}

/** redis-server: the real startup banner on stdout; SIGTERM/SIGINT save and exit 0. */
class RedisProgram extends Program {
  private stopping = false;

  private get version(): string {
    return this.variables.get("REDIS_VERSION") ?? "7.4.2";
  }

  private get legacy(): boolean {
    return this.version.startsWith("2.") || this.version.startsWith("3.");
  }

  private log(role: string, level: "*" | "#", text: string): void {
    const time = this.legacy ? legacyRedisTime(this.wallTimeMs()) : redisTime(this.wallTimeMs());
    this.out(`1:${role} ${time} ${level} ${text}`);
  }

  protected onStart(): void {
    const withConfig = this.command.args.length > 1;
    const version = this.version;
    const noConfigWarning =
      "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf";
    this.run(
      function* (this: RedisProgram): Coroutine<void> {
        if (this.legacy) {
          if (!withConfig) this.log("C", "#", noConfigWarning);
          for (const line of legacyRedisLogo(version)) this.out(line);
          this.log("M", "#", "WARNING: The TCP backlog setting of 511 cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of 128.");
          this.log("M", "#", `Server started, Redis version ${version}`);
          yield* sleep(redisStartupMs);
          if (!this.stopping) this.log("M", "*", "The server is now ready to accept connections on port 6379");
          return;
        }
        this.log(
          "C",
          "#",
          "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. " +
            "Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. " +
            "To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.",
        );
        this.log("C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
        this.log("C", "*", `Redis version=${version}, bits=64, commit=00000000, modified=0, pid=1, just started`);
        if (withConfig) this.log("C", "*", "Configuration loaded");
        else this.log("C", "#", noConfigWarning);
        this.log("M", "*", "monotonic clock: POSIX clock_gettime");
        this.log("M", "*", "Running mode=standalone, port=6379.");
        yield* sleep(redisStartupMs);
        if (this.stopping) return;
        this.log("M", "*", "Server initialized");
        this.log("M", "*", "Ready to accept connections tcp");
      }.call(this),
    );
  }

  protected override onSignal(signal: string): void {
    if ((signal !== "SIGTERM" && signal !== "SIGINT") || this.stopping) return;
    this.stopping = true;
    this.out(`1:signal-handler (${Math.floor(this.wallTimeMs() / millisecondsPerSecond)}) Received ${signal} scheduling shutdown...`);
    this.run(
      function* (this: RedisProgram): Coroutine<void> {
        yield* sleep(serverShutdownMs);
        this.log("M", this.legacy ? "#" : "*", "User requested shutdown...");
        this.log("M", "*", "Saving the final RDB snapshot before exiting.");
        this.log("M", "*", "DB saved on disk");
        this.log("M", "#", "Redis is now ready to exit, bye bye...");
        this.exit(0);
      }.call(this),
    );
  }
}

/** Apache httpd (official image, mpm_event): notices on stderr; SIGTERM/SIGINT fast stop, SIGWINCH graceful. */
class HttpdProgram extends Program {
  private threadId = "";
  private stopping = false;

  private notice(module: string, text: string): void {
    this.err(`[${httpdTime(this.wallTimeMs())}] [${module}:notice] [pid 1:tid ${this.threadId}] ${text}`);
  }

  protected onStart(): void {
    this.threadId = String(139_000_000_000_000 + this.context.random.integer(0, 999_999_999_999));
    const version = this.variables.get("HTTPD_VERSION") ?? "2.4.63";
    this.notice("mpm_event", `AH00489: Apache/${version} (Unix) configured -- resuming normal operations`);
    this.notice("core", "AH00094: Command line: 'httpd -D FOREGROUND'");
  }

  protected override onSignal(signal: string): void {
    if (this.stopping || (signal !== "SIGTERM" && signal !== "SIGINT" && signal !== "SIGWINCH")) return;
    this.stopping = true;
    this.notice("mpm_event", signal === "SIGWINCH" ? "AH00492: caught SIGWINCH, shutting down gracefully" : "AH00491: caught SIGTERM, shutting down");
    this.run(
      function* (this: HttpdProgram): Coroutine<void> {
        yield* sleep(serverShutdownMs);
        this.exit(0);
      }.call(this),
    );
  }
}

// ---------------------------------------------------------------- stress

/** The memory a stress run asks for, in bytes: every vm worker's allocation. */
function stressMemoryBytes(options: StressOptions): number {
  return options.vmWorkers * options.vmBytes;
}

/** progrium/stress (`stress --verbose ...`): forks hogs; OOM-killed (137) past the memory limit. No SIGTERM handler. */
class StressProgram extends Program {
  protected onStart(): void {
    const parsed = parseStressOptions(this.command.args.slice(1));
    if (!parsed.ok) {
      this.err(`stress: FAIL: [1] (244) ${parsed.error}`);
      this.exit(1);
      return;
    }
    const options = parsed.value;
    const debug = options.verbose && !options.quiet;
    const info = !options.quiet;
    const debugLine = (pid: number, text: string) => {
      if (debug) this.out(`stress: dbug: [${pid}] ${text}`);
    };
    if (options.cpuWorkers + options.ioWorkers + options.vmWorkers + options.hddWorkers === 0) {
      this.out(`\`stress' imposes certain types of compute stress on your system`);
      this.out("");
      this.out("Usage: stress [OPTION [ARG]] ...");
      this.exit(0);
      return;
    }
    if (info) {
      this.out(
        `stress: info: [1] dispatching hogs: ${options.cpuWorkers} cpu, ${options.ioWorkers} io, ${options.vmWorkers} vm, ${options.hddWorkers} hdd`,
      );
    }
    // The round-robin dispatch loop of stress.c, one line per fork.
    const remaining = { cpu: options.cpuWorkers, io: options.ioWorkers, vm: options.vmWorkers, hdd: options.hddWorkers };
    const workerPids: number[] = [];
    const vmPids: number[] = [];
    let nextPid = stressFirstWorkerPid;
    for (let round = 0; round < stressWorkersMax; round++) {
      const forks = remaining.cpu + remaining.io + remaining.vm + remaining.hdd;
      if (forks === 0) break;
      debugLine(1, `using backoff sleep of ${options.backoffMicroseconds * forks}us`);
      if (options.timeoutSeconds > 0) debugLine(1, `setting timeout to ${options.timeoutSeconds}s`);
      for (const kind of ["cpu", "io", "vm", "hdd"] as const) {
        if (remaining[kind] === 0) continue;
        const pid = nextPid++;
        workerPids.push(pid);
        if (kind === "vm") vmPids.push(pid);
        debugLine(1, `--> hog${kind} worker ${remaining[kind]} [${pid}] forked`);
        remaining[kind]--;
      }
    }
    for (const pid of vmPids) {
      debugLine(pid, `allocating ${options.vmBytes} bytes ...`);
      debugLine(pid, `touching bytes in strides of ${options.vmStrideBytes} bytes ...`);
    }
    const limit = this.options.spec.linux.resources?.memory?.limit;
    const overLimit = limit !== undefined && limit > 0 && stressMemoryBytes(options) > limit;
    this.run(
      function* (this: StressProgram): Coroutine<void> {
        if (overLimit) {
          yield* sleep(stressOomDelayMs);
          this.context.send(this.context.host, this.options.shimProcess, { oom: true } satisfies OomMessage);
          this.exit(oomExitCode);
          return;
        }
        if (options.timeoutSeconds === 0) yield* this.forever();
        yield* sleep(options.timeoutSeconds * millisecondsPerSecond);
        for (const pid of workerPids) debugLine(1, `<-- worker ${pid} signalled normally`);
        if (info) this.out(`stress: info: [1] successful run completed in ${options.timeoutSeconds}s`);
        this.exit(0);
      }.call(this),
    );
  }
}

// ---------------------------------------------------------------- resource usage

/** What a program uses, for `docker stats`. */
export interface ProgramResourceUsage {
  /** CPU in cores (1 = one core fully busy). */
  readonly cpuCores: number;
  /** Resident memory in bytes. */
  readonly memoryBytes: number;
}

/** Steady-state footprints of the idle programs (typical `docker stats` figures). */
const idleUsage: Readonly<Record<ProgramKind, ProgramResourceUsage>> = {
  nginx: { cpuCores: 0, memoryBytes: 7_340_032 },
  "redis-server": { cpuCores: 0.002, memoryBytes: 4_194_304 },
  httpd: { cpuCores: 0.001, memoryBytes: 9_437_184 },
  sleep: { cpuCores: 0, memoryBytes: 393_216 },
  ping: { cpuCores: 0, memoryBytes: 512_000 },
  echo: { cpuCores: 0, memoryBytes: 0 },
  true: { cpuCores: 0, memoryBytes: 0 },
  false: { cpuCores: 0, memoryBytes: 0 },
  "shell-script": { cpuCores: 0, memoryBytes: 659_456 },
  shell: { cpuCores: 0, memoryBytes: 589_824 },
  crasher: { cpuCores: 0, memoryBytes: 1_048_576 },
  stress: { cpuCores: 0, memoryBytes: 1_048_576 },
  applet: { cpuCores: 0, memoryBytes: 0 },
  generic: { cpuCores: 0, memoryBytes: 786_432 },
};

/**
 * The CPU and memory the program of `spec` uses while it runs: stress's hogs (each cpu and vm
 * worker one busy core, each vm worker its allocation), capped by the container's CPU quota and
 * memory limit; a small steady footprint for the others.
 */
export function programResourceUsage(spec: OciSpec): ProgramResourceUsage {
  const command = classifyCommand(spec.process.args);
  let usage = idleUsage[command.kind];
  if (command.kind === "stress") {
    const parsed = parseStressOptions(command.args.slice(1));
    if (parsed.ok) {
      usage = {
        cpuCores: parsed.value.cpuWorkers + parsed.value.vmWorkers,
        memoryBytes: usage.memoryBytes + stressMemoryBytes(parsed.value),
      };
    }
  }
  const cores = quotaCores(spec);
  const limit = spec.linux.resources?.memory?.limit;
  return {
    cpuCores: cores === undefined ? usage.cpuCores : Math.min(usage.cpuCores, cores),
    memoryBytes: limit === undefined || limit <= 0 ? usage.memoryBytes : Math.min(usage.memoryBytes, limit),
  };
}

// ---------------------------------------------------------------- the factory

/** The behaviour of the container process described by `options.spec`. */
export function createProgram(options: ProgramOptions): ProcessBehaviour {
  const command = classifyCommand(options.spec.process.args);
  const args = command.args;
  switch (command.kind) {
    case "nginx":
      return new NginxProgram(options, command);
    case "redis-server":
      return new RedisProgram(options, command);
    case "httpd":
      return new HttpdProgram(options, command);
    case "sleep":
      return new SleepProgram(options, command);
    case "ping":
      return new PingProgram(options, command);
    case "echo":
      return new ImmediateProgram(options, command, [echoLine(args.slice(1))], 0);
    case "true":
      return new ImmediateProgram(options, command, [], 0);
    case "false":
      return new ImmediateProgram(options, command, [], 1);
    case "shell-script":
      return new ShellScriptProgram(options, command);
    case "shell":
      // Without a terminal, stdin is at its end: the shell exits 0 at once (`docker run alpine`).
      return options.spec.process.terminal ? new GenericProgram(options, command) : new EndOfInputProgram(options, command);
    case "crasher":
      return new CrasherProgram(options, command);
    case "stress":
      return new StressProgram(options, command);
    case "applet":
      return new AppletProgram(options, command);
    case "generic":
      return new GenericProgram(options, command);
  }
}

/** Directories of the images' PATH: a program given by path must be in one of them (or be an entrypoint script). */
const programDirectories: ReadonlySet<string> = new Set(["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"]);

/**
 * Whether a container has the program `argv0` (`runc exec`'s `exec.LookPath`): the programs and
 * applets swarmsim runs, and the other busybox applets images ship; a path must name one of
 * them in a PATH directory, or an entrypoint script.
 */
export function executableExists(argv0: string, _spec: OciSpec): boolean {
  if (entrypointWrappers.includes(argv0)) return true;
  const slash = argv0.lastIndexOf("/");
  const name = argv0.slice(slash + 1);
  if (slash >= 0 && !programDirectories.has(argv0.slice(0, slash) || "/")) return false;
  return Object.hasOwn(kindsByName, name) || isOtherProgram(name);
}
