/**
 * The small busybox applets containers run as their command or through `docker exec`:
 * hostname, pwd, id, whoami, uname, env/printenv, date, ls, cat and ps. Each is a pure function
 * of what the process can see (its environment, hostname, working directory, the image's root
 * filesystem as swarmsim models it, and the processes of the container's PID namespace) and
 * returns the lines busybox prints and its exit status. `lookPath` says whether a program exists
 * in a container, as runC's `exec.LookPath` would find it.
 */
import type { OciSpec } from "../../containerd/oci.js";
import { busyboxDate } from "./formats.js";
import type { ContainerProcessInfo } from "./protocol.js";

/** What an applet can see of its process and container. */
export interface AppletEnvironment {
  readonly hostname: string;
  /** The process's environment, in order. */
  readonly variables: ReadonlyMap<string, string>;
  /** The working directory. */
  readonly cwd: string;
  /** The image reference the container runs (`alpine`, `nginx:latest`, ...). */
  readonly image: string;
  /** The processes of the container's PID namespace. */
  readonly processes: () => readonly ContainerProcessInfo[];
  /** Wall-clock time now, ms since the Unix epoch. */
  readonly wallTimeMs: () => number;
}

/** What an applet printed and its exit status. */
export interface AppletResult {
  readonly out: readonly string[];
  readonly err: readonly string[];
  readonly code: number;
}

/** The applets implemented here. */
export const appletNames: ReadonlySet<string> = new Set(["hostname", "pwd", "id", "whoami", "uname", "env", "printenv", "date", "ls", "cat", "ps"]);

/**
 * Other busybox applets and programs the images ship: found by `runc exec`, and run as a process
 * that waits until it is killed (swarmsim does not model what they do).
 */
export const otherPrograms: ReadonlySet<string> = new Set([
  "top", "tail", "head", "vi", "wget", "nc", "netstat", "ifconfig", "ip", "df", "du", "free", "mount", "touch", "mkdir", "rm", "cp", "mv",
  "grep", "sed", "awk", "find", "xargs", "wc", "sort", "uniq", "tee", "yes", "kill", "nslookup", "traceroute", "less", "more",
  "dmesg", "uptime", "watch", "timeout", "tr", "cut", "stat", "chmod", "chown", "ln", "basename", "dirname", "seq", "test", "[",
  "redis-cli", "nginx", "httpd", "apachectl", "ash", "bash", "busybox",
]);

/** The kernel the simulated hosts run (`uname -r`). */
const kernelRelease = "6.8.0-51-generic";
/** The kernel's build string (`uname -v`). */
const kernelVersion = "#52-Ubuntu SMP PREEMPT_DYNAMIC Thu Dec  5 13:09:44 UTC 2024";
/** What runC sets when the process's environment has no HOME (root's home). */
const rootHome = "/root";

/** The root directory of each image family, as `ls /` lists it. */
const rootListings: Readonly<Record<string, readonly string[]>> = {
  alpine: ["bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"],
  busybox: ["bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var"],
  debian: ["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"],
};

/** Files swarmsim models in /etc of every image. */
const etcListing: readonly string[] = ["group", "hostname", "hosts", "os-release", "passwd", "resolv.conf", "shadow"];

/** Directories that exist and are empty in every image. */
const emptyDirectories: ReadonlySet<string> = new Set(["/tmp", "/root", "/home", "/srv", "/mnt", "/opt", "/media"]);

/** The image family of an image reference: busybox, alpine, or the Debian-based official images. */
function imageFamily(image: string): "alpine" | "busybox" | "debian" {
  const name = image.split("@")[0]!.split(":")[0]!.split("/").pop() ?? "";
  if (name === "busybox") return "busybox";
  if (name === "alpine" || name === "crasher" || name === "stress") return "alpine";
  return /alpine/.test(image) ? "alpine" : "debian";
}

/** The last component of a path. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The environment with HOME, as runC completes it for root. */
function withHome(variables: ReadonlyMap<string, string>): [string, string][] {
  const entries = [...variables];
  if (!variables.has("HOME")) entries.push(["HOME", rootHome]);
  return entries;
}

function normalizePath(path: string, cwd: string): string {
  const absolute = path.startsWith("/") ? path : `${cwd.replace(/\/$/, "")}/${path}`;
  const parts: string[] = [];
  for (const part of absolute.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** The entries of a directory as swarmsim models the image's filesystem, or null when it does not exist. */
function directoryEntries(path: string, environment: AppletEnvironment): readonly string[] | null {
  if (path === "/") {
    const family = imageFamily(environment.image);
    const entries = [...rootListings[family]!];
    if (family === "debian" && /nginx/.test(environment.image)) entries.push("docker-entrypoint.d", "docker-entrypoint.sh");
    if (family === "debian" && /redis/.test(environment.image)) entries.push("data");
    return entries.sort();
  }
  if (path === "/etc") return etcListing;
  if (emptyDirectories.has(path)) return [];
  return null;
}

/** The contents of a file as swarmsim models it, or null when it does not exist. */
function fileContents(path: string, environment: AppletEnvironment): readonly string[] | null {
  switch (path) {
    case "/etc/hostname":
      return [environment.hostname];
    case "/etc/hosts":
      return ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::\tip6-localnet", "ff00::\tip6-mcastprefix", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters"];
    case "/etc/resolv.conf":
      return ["nameserver 127.0.0.11", "options ndots:0"];
    default:
      return null;
  }
}

/** busybox `ps`: `PID   USER     TIME  COMMAND`, one line per process, by pid. */
function psLines(processes: readonly ContainerProcessInfo[]): string[] {
  const lines = ["PID   USER     TIME  COMMAND"];
  for (const process of [...processes].sort((left, right) => left.pid - right.pid)) {
    lines.push(`${String(process.pid).padStart(5)} ${"root".padEnd(8)} ${"0:00".padStart(5)} ${process.args.join(" ")}`);
  }
  return lines;
}

/** busybox `uname` with its flags (`-a`, `-s`, `-n`, `-r`, `-v`, `-m`). */
function unameLines(args: readonly string[], hostname: string): AppletResult {
  const fields: Record<string, string> = { s: "Linux", n: hostname, r: kernelRelease, v: kernelVersion, m: "x86_64", o: "Linux" };
  const wanted: string[] = [];
  for (const argument of args) {
    if (!/^-[asnrvmo]+$/.test(argument)) return { out: [], err: [`uname: unrecognized option: ${argument.replace(/^-+/, "")}`], code: 1 };
    for (const letter of argument.slice(1)) wanted.push(...(letter === "a" ? ["s", "n", "r", "v", "m", "o"] : [letter]));
  }
  const order = ["s", "n", "r", "v", "m", "o"].filter((letter) => wanted.includes(letter));
  return { out: [(order.length === 0 ? ["s"] : order).map((letter) => fields[letter]).join(" ")], err: [], code: 0 };
}

/**
 * Runs applet `name` (a name of {@link appletNames}) with `args`; null when `name` is not an
 * applet implemented here (or `cat` without files, which reads its input: the caller decides).
 */
export function runApplet(name: string, args: readonly string[], environment: AppletEnvironment): AppletResult | null {
  const ok = (out: readonly string[]): AppletResult => ({ out, err: [], code: 0 });
  switch (name) {
    case "hostname":
      return ok([environment.hostname]);
    case "pwd":
      return ok([environment.cwd]);
    case "whoami":
      return ok(["root"]);
    case "id":
      return ok([imageFamily(environment.image) === "alpine" ? "uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)" : "uid=0(root) gid=0(root) groups=0(root),10(wheel)"]);
    case "uname":
      return unameLines(args, environment.hostname);
    case "date":
      return ok([busyboxDate(environment.wallTimeMs())]);
    case "env":
      return ok(withHome(environment.variables).map(([key, value]) => `${key}=${value}`));
    case "printenv": {
      const variables = new Map(withHome(environment.variables));
      if (args.length === 0) return ok([...variables].map(([key, value]) => `${key}=${value}`));
      const found = args.filter((key) => variables.has(key)).map((key) => variables.get(key)!);
      return { out: found, err: [], code: found.length === args.length ? 0 : 1 };
    }
    case "ps":
      return ok(psLines(environment.processes()));
    case "ls": {
      const operands = args.filter((argument) => !argument.startsWith("-"));
      const paths = operands.length === 0 ? ["."] : operands;
      const out: string[] = [];
      const err: string[] = [];
      for (const [index, operand] of paths.entries()) {
        const path = normalizePath(operand, environment.cwd);
        const entries = directoryEntries(path, environment);
        if (entries === null) {
          if (fileContents(path, environment) !== null) out.push(operand);
          else err.push(`ls: ${operand}: No such file or directory`);
          continue;
        }
        if (paths.length > 1) out.push(...(index > 0 ? [""] : []), `${operand}:`);
        out.push(...entries);
      }
      return { out, err, code: err.length > 0 ? 1 : 0 };
    }
    case "cat": {
      const files = args.filter((argument) => argument !== "-" && !argument.startsWith("-"));
      if (files.length === 0) return null;
      const out: string[] = [];
      const err: string[] = [];
      for (const file of files) {
        const path = normalizePath(file, environment.cwd);
        const contents = fileContents(path, environment);
        if (contents !== null) out.push(...contents);
        else if (directoryEntries(path, environment) !== null) err.push(`cat: read error: Is a directory`);
        else err.push(`cat: can't open '${file}': No such file or directory`);
      }
      return { out, err, code: err.length > 0 ? 1 : 0 };
    }
    default:
      return null;
  }
}

/** The environment of a spec's process, in order (`KEY=value` entries; later ones win). */
export function environmentOf(spec: OciSpec): Map<string, string> {
  const variables = new Map<string, string>();
  for (const entry of spec.process.env) {
    const equals = entry.indexOf("=");
    if (equals > 0) variables.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return variables;
}

/** What an applet of the process of `spec` can see. */
export function appletEnvironmentOf(spec: OciSpec, processes: (() => readonly ContainerProcessInfo[]) | undefined, wallTimeMs: () => number): AppletEnvironment {
  return {
    hostname: spec.hostname,
    variables: environmentOf(spec),
    cwd: spec.process.cwd === "" ? "/" : spec.process.cwd,
    image: spec.annotations?.["org.opencontainers.image.ref.name"] ?? "",
    processes: processes ?? (() => [{ pid: 1, args: spec.process.args }]),
    wallTimeMs,
  };
}

/** Whether `name` (a program's last path component) is a program swarmsim knows besides the applets. */
export function isOtherProgram(name: string): boolean {
  return otherPrograms.has(name);
}

/** The last path component of a program. */
export function programName(argv0: string): string {
  return baseName(argv0);
}
