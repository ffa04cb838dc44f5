/**
 * `docker version` and `docker info`, laid out as the docker CLI 28.2.2 prints them
 * (cli/command/system/version.go's template through a tabwriter, info.go's `prettyPrintInfo`).
 * The client half is the real 28.2.2 client's facts; the server half comes from the
 * `/version` and `/info` answers of the simulated engine.
 */
import { EngineApiError, type EngineJson } from "../../engine/client.js";
import { tabwrite } from "../table.js";
import { bytesSize } from "../units.js";
import type { ParsedCommandLine } from "../flags.js";
import { CommandError, errorText, type CommandContext, type DockerCommand } from "./context.js";
import { GoTemplate, TemplateError } from "./templates.js";
import { inspectFormatHelp } from "./inspect.js";

/** The docker CLI this module imitates. */
export const clientFacts = {
  version: "28.2.2",
  /** The API version the client speaks by default (`api.DefaultVersion`). */
  defaultApiVersion: "1.50",
  goVersion: "go1.24.3",
  gitCommit: "e6534b4",
  /** `BuildTime` of the release binary, as `time.ANSIC`. */
  built: "Fri May 30 12:07:14 2025",
  os: "linux",
  arch: "amd64",
  context: "default",
} as const;

/** Go's `time.ANSIC` layout of an RFC 3339 time: `Mon Jan  2 15:04:05 2006`; the text itself if it does not parse. */
export function ansicDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return text;
  const [, year, month, day, hours, minutes, seconds] = match;
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Day of week from the civil date (Sakamoto's method); the offset is kept as given, as Go does.
  const monthNumber = Number(month);
  const yearForWeek = monthNumber < 3 ? Number(year) - 1 : Number(year);
  const offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const weekday =
    (yearForWeek + Math.floor(yearForWeek / 4) - Math.floor(yearForWeek / 100) + Math.floor(yearForWeek / 400) + offsets[monthNumber - 1]! + Number(day)) % 7;
  return `${days[weekday]} ${months[monthNumber - 1]} ${String(Number(day)).padStart(2, " ")} ${hours}:${minutes}:${seconds} ${year}`;
}

/** The API version the client ends up using: the server's, when lower than its own (API negotiation). */
function negotiatedApiVersion(serverApiVersion: string | undefined): string {
  if (serverApiVersion === undefined || serverApiVersion === "") return clientFacts.defaultApiVersion;
  const [serverMajor = 0, serverMinor = 0] = serverApiVersion.split(".").map(Number);
  const [clientMajor = 0, clientMinor = 0] = clientFacts.defaultApiVersion.split(".").map(Number);
  return serverMajor < clientMajor || (serverMajor === clientMajor && serverMinor < clientMinor) ? serverApiVersion : clientFacts.defaultApiVersion;
}

/** The settings of `docker version`'s tabwriter: `tabwriter.NewWriter(out, 20, 1, 1, ' ', 0)`. */
const versionTabwriter = { minimumWidth: 20, tabWidth: 1, padding: 1, paddingCharacter: " " } as const;

/** The text of `docker version` before tab alignment, as the default template renders it. */
function versionTemplateText(server: EngineJson | null, serverError: string | null): string {
  const apiVersion = negotiatedApiVersion(server?.ApiVersion);
  let text = "Client:\n";
  text += ` Version:\t${clientFacts.version}\n`;
  text += ` API version:\t${apiVersion}${apiVersion !== clientFacts.defaultApiVersion ? ` (downgraded from ${clientFacts.defaultApiVersion})` : ""}\n`;
  text += ` Go version:\t${clientFacts.goVersion}\n`;
  text += ` Git commit:\t${clientFacts.gitCommit}\n`;
  text += ` Built:\t${clientFacts.built}\n`;
  text += ` OS/Arch:\t${clientFacts.os}/${clientFacts.arch}\n`;
  text += ` Context:\t${clientFacts.context}`;
  if (server === null) return `${text}\n`;
  void serverError;
  const platformName = typeof server.Platform?.Name === "string" ? server.Platform.Name : "";
  text += `\n\nServer:${platformName !== "" ? ` ${platformName}` : ""}`;
  const components: EngineJson[] = Array.isArray(server.Components) ? [...server.Components] : [];
  if (!components.some((component) => component.Name === "Engine")) {
    components.push({
      Name: "Engine",
      Version: server.Version,
      Details: {
        ApiVersion: server.ApiVersion,
        MinAPIVersion: server.MinAPIVersion,
        GitCommit: server.GitCommit,
        GoVersion: server.GoVersion,
        Os: server.Os,
        Arch: server.Arch,
        BuildTime: server.BuildTime,
        Experimental: String(server.Experimental === true),
      },
    });
  }
  for (const component of components) {
    const details: Record<string, string> = component.Details ?? {};
    text += `\n ${component.Name}:`;
    if (component.Name === "Engine") {
      text += `\n  Version:\t${component.Version}`;
      text += `\n  API version:\t${details.ApiVersion ?? ""} (minimum version ${details.MinAPIVersion ?? ""})`;
      text += `\n  Go version:\t${details.GoVersion ?? ""}`;
      text += `\n  Git commit:\t${details.GitCommit ?? ""}`;
      text += `\n  Built:\t${ansicDate(details.BuildTime ?? "")}`;
      text += `\n  OS/Arch:\t${details.Os ?? ""}/${details.Arch ?? ""}`;
      text += `\n  Experimental:\t${details.Experimental ?? ""}`;
    } else {
      text += `\n  Version:\t${component.Version}`;
      for (const key of Object.keys(details).sort()) text += `\n  ${key}:\t${details[key]}`;
    }
  }
  return `${text}\n`;
}

/** `docker version [--format F]`. */
export const versionCommand: DockerCommand = {
  definition: {
    path: "docker version",
    usage: "docker version [OPTIONS]",
    description: "Show the Docker version information",
    arguments: { kind: "none" },
    flags: [{ name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    let server: EngineJson | null = null;
    let serverError: unknown = null;
    try {
      server = context.client.systemVersion();
    } catch (error) {
      if (!(error instanceof EngineApiError)) throw error;
      serverError = error;
    }
    const format = parsed.string("format");
    if (format !== "") {
      const apiVersion = negotiatedApiVersion(server?.ApiVersion);
      const data = {
        Client: {
          Version: clientFacts.version,
          ApiVersion: apiVersion,
          DefaultAPIVersion: clientFacts.defaultApiVersion,
          GitCommit: clientFacts.gitCommit,
          GoVersion: clientFacts.goVersion,
          Os: clientFacts.os,
          Arch: clientFacts.arch,
          BuildTime: clientFacts.built,
          Context: clientFacts.context,
        },
        Server: server,
      };
      let template: GoTemplate;
      try {
        template = GoTemplate.parse(format === "json" ? "{{json .}}" : format);
      } catch (error) {
        if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 64);
        throw error;
      }
      try {
        context.output.out(`${template.execute(data)}\n`);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        context.output.out("\n");
        throw new CommandError(error.message);
      }
    } else {
      context.output.out(tabwrite(versionTemplateText(server, null), versionTabwriter));
    }
    if (serverError !== null) throw new CommandError(errorText(serverError));
    return 0;
  },
};

/** moby's `DecodeSecurityOptions`: `name=seccomp,profile=builtin` -> seccomp with option profile. */
function decodeSecurityOptions(options: readonly string[]): { name: string; options: { key: string; value: string }[] }[] {
  return options.map((option) => {
    if (!option.includes("=")) return { name: option, options: [] };
    let name = "";
    const pairs: { key: string; value: string }[] = [];
    for (const part of option.split(",")) {
      const [key = "", ...rest] = part.split("=");
      const value = rest.join("=");
      if (key === "name") name = value;
      else pairs.push({ key, value });
    }
    return { name, options: pairs };
  });
}

/** The server half of `docker info` (`prettyPrintServerInfo`). */
function serverInfoText(info: EngineJson): string {
  const lines: string[] = [];
  const line = (...parts: unknown[]): void => {
    lines.push(parts.map((part) => (Array.isArray(part) ? part.join(" ") : String(part))).join(" "));
  };
  const lineIfSet = (label: string, value: unknown): void => {
    if (typeof value === "string" && value !== "") line(label, value);
  };
  line(" Containers:", info.Containers ?? 0);
  line("  Running:", info.ContainersRunning ?? 0);
  line("  Paused:", info.ContainersPaused ?? 0);
  line("  Stopped:", info.ContainersStopped ?? 0);
  line(" Images:", info.Images ?? 0);
  lineIfSet(" Server Version:", info.ServerVersion);
  lineIfSet(" Storage Driver:", info.Driver);
  for (const pair of (info.DriverStatus ?? []) as string[][]) lines.push(`  ${pair[0]}: ${pair[1]}`);
  for (const pair of (info.SystemStatus ?? []) as string[][]) lines.push(` ${pair[0]}: ${pair[1]}`);
  lineIfSet(" Logging Driver:", info.LoggingDriver);
  lineIfSet(" Cgroup Driver:", info.CgroupDriver);
  lineIfSet(" Cgroup Version:", info.CgroupVersion);
  const plugins: EngineJson = info.Plugins ?? {};
  line(" Plugins:");
  line("  Volume:", (plugins.Volume ?? []).join(" "));
  line("  Network:", (plugins.Network ?? []).join(" "));
  if (Array.isArray(plugins.Authorization) && plugins.Authorization.length > 0) line("  Authorization:", plugins.Authorization.join(" "));
  line("  Log:", (plugins.Log ?? []).join(" "));
  if (Array.isArray(info.CDISpecDirs) && info.CDISpecDirs.length > 0) {
    line(" CDI spec directories:");
    for (const directory of info.CDISpecDirs) lines.push(`  ${directory}`);
  }
  if (Array.isArray(info.DiscoveredDevices) && info.DiscoveredDevices.length > 0) {
    line(" Discovered Devices:");
    for (const device of info.DiscoveredDevices as EngineJson[]) lines.push(`  ${device.Source}: ${device.ID}`);
  }
  const swarm: EngineJson = info.Swarm ?? {};
  const nodeState = swarm.LocalNodeState ?? "";
  line(" Swarm:", nodeState);
  if (nodeState !== "inactive" && nodeState !== "locked") lines.push(...swarmInfoLines(swarm));
  const runtimes = Object.keys(info.Runtimes ?? {});
  if (runtimes.length > 0) {
    line(" Runtimes:", runtimes.join(" "));
    line(" Default Runtime:", info.DefaultRuntime ?? "");
  }
  if (info.OSType === "linux") {
    line(" Init Binary:", info.InitBinary ?? "");
    line(" containerd version:", info.ContainerdCommit?.ID ?? "");
    line(" runc version:", info.RuncCommit?.ID ?? "");
    line(" init version:", info.InitCommit?.ID ?? "");
    const securityOptions: string[] = info.SecurityOptions ?? [];
    if (securityOptions.length > 0) {
      line(" Security Options:");
      for (const option of decodeSecurityOptions(securityOptions)) {
        lines.push(`  ${option.name}`);
        for (const pair of option.options) if (pair.key === "profile") line("   Profile:", pair.value);
      }
    }
  }
  if (info.OSType === "windows") line(" Default Isolation:", info.Isolation ?? "");
  lineIfSet(" Kernel Version:", info.KernelVersion);
  lineIfSet(" Operating System:", info.OperatingSystem);
  lineIfSet(" OSType:", info.OSType);
  lineIfSet(" Architecture:", info.Architecture);
  line(" CPUs:", info.NCPU ?? 0);
  line(" Total Memory:", bytesSize(Number(info.MemTotal ?? 0)));
  lineIfSet(" Name:", info.Name);
  lineIfSet(" ID:", info.ID);
  line(" Docker Root Dir:", info.DockerRootDir ?? "");
  line(" Debug Mode:", info.Debug === true);
  if (info.Debug === true) {
    line("  File Descriptors:", info.NFd ?? 0);
    line("  Goroutines:", info.NGoroutines ?? 0);
    line("  System Time:", info.SystemTime ?? "");
    line("  EventsListeners:", info.NEventsListener ?? 0);
  }
  lineIfSet(" HTTP Proxy:", info.HttpProxy);
  lineIfSet(" HTTPS Proxy:", info.HttpsProxy);
  lineIfSet(" No Proxy:", info.NoProxy);
  lineIfSet(" Username:", info.Username);
  const labels: string[] = info.Labels ?? [];
  if (labels.length > 0) {
    line(" Labels:");
    for (const label of labels) lines.push(`  ${label}`);
  }
  line(" Experimental:", info.ExperimentalBuild === true);
  const registry: EngineJson | null = info.RegistryConfig ?? null;
  const insecureCidrs: string[] = registry?.InsecureRegistryCIDRs ?? [];
  const indexConfigs: EngineJson[] = Object.values(registry?.IndexConfigs ?? {});
  if (registry !== null && (insecureCidrs.length > 0 || indexConfigs.length > 0)) {
    line(" Insecure Registries:");
    for (const index of indexConfigs) if (index.Secure !== true) lines.push(`  ${index.Name}`);
    for (const cidr of insecureCidrs) lines.push(`  ${cidr}`);
  }
  const mirrors: string[] = registry?.Mirrors ?? [];
  if (mirrors.length > 0) {
    line(" Registry Mirrors:");
    for (const mirror of mirrors) lines.push(`  ${mirror}`);
  }
  line(" Live Restore Enabled:", info.LiveRestoreEnabled === true);
  if (typeof info.ProductLicense === "string" && info.ProductLicense !== "") line(" Product License:", info.ProductLicense);
  const pools: EngineJson[] = info.DefaultAddressPools ?? [];
  if (pools.length > 0) {
    line(" Default Address Pools:");
    for (const pool of pools) lines.push(`   Base: ${pool.Base}, Size: ${pool.Size}`);
  }
  lines.push("");
  return lines.map((text) => `${text}\n`).join("");
}

/** The swarm part of `docker info` for an active node (`printSwarmInfo`). */
function swarmInfoLines(swarm: EngineJson): string[] {
  const lines: string[] = [];
  lines.push(`  NodeID: ${swarm.NodeID ?? ""}`);
  if (swarm.Error) lines.push(`  Error: ${swarm.Error}`);
  lines.push(`  Is Manager: ${swarm.ControlAvailable === true}`);
  const cluster: EngineJson | null = swarm.Cluster ?? null;
  if (cluster !== null && swarm.ControlAvailable === true && !swarm.Error && swarm.LocalNodeState !== "error") {
    const spec: EngineJson = cluster.Spec ?? {};
    lines.push(`  ClusterID: ${cluster.ID ?? ""}`);
    lines.push(`  Managers: ${swarm.Managers ?? 0}`);
    lines.push(`  Nodes: ${swarm.Nodes ?? 0}`);
    if (Array.isArray(cluster.DefaultAddrPool)) {
      lines.push(`  Default Address Pool: ${cluster.DefaultAddrPool.map((pool: string) => `${pool}  `).join("")}`);
      lines.push(`  SubnetSize: ${cluster.SubnetSize ?? 0}`);
    }
    if ((cluster.DataPathPort ?? 0) > 0) lines.push(`  Data Path Port: ${cluster.DataPathPort}`);
    lines.push("  Orchestration:");
    lines.push(`   Task History Retention Limit: ${spec.Orchestration?.TaskHistoryRetentionLimit ?? 0}`);
    lines.push("  Raft:");
    lines.push(`   Snapshot Interval: ${spec.Raft?.SnapshotInterval ?? 0}`);
    if (spec.Raft?.KeepOldSnapshots !== undefined) lines.push(`   Number of Old Snapshots to Retain: ${spec.Raft.KeepOldSnapshots}`);
    lines.push(`   Heartbeat Tick: ${spec.Raft?.HeartbeatTick ?? 0}`);
    lines.push(`   Election Tick: ${spec.Raft?.ElectionTick ?? 0}`);
    lines.push("  Dispatcher:");
    lines.push(`   Heartbeat Period: ${humanNanoseconds(spec.Dispatcher?.HeartbeatPeriod ?? 0)}`);
    lines.push("  CA Configuration:");
    lines.push(`   Expiry Duration: ${humanNanoseconds(spec.CAConfig?.NodeCertExpiry ?? 0)}`);
    lines.push(`   Force Rotate: ${spec.CAConfig?.ForceRotate ?? 0}`);
    const externalCas: EngineJson[] = spec.CAConfig?.ExternalCAs ?? [];
    if (externalCas.length > 0) {
      lines.push("   External CAs:");
      for (const entry of externalCas) lines.push(`     ${entry.Protocol}: ${entry.URL}`);
    }
    lines.push(`  Autolock Managers: ${spec.EncryptionConfig?.AutoLockManagers === true}`);
    lines.push(`  Root Rotation In Progress: ${cluster.RootRotationInProgress === true}`);
  }
  lines.push(`  Node Address: ${swarm.NodeAddr ?? ""}`);
  const managers = ((swarm.RemoteManagers ?? []) as EngineJson[]).map((entry) => String(entry.Addr)).sort();
  if (managers.length > 0) {
    lines.push("  Manager Addresses:");
    for (const address of managers) lines.push(`   ${address}`);
  }
  return lines;
}

/** go-units `HumanDuration` of nanoseconds, as swarm durations are printed. */
function humanNanoseconds(nanoseconds: number): string {
  const milliseconds = nanoseconds / 1e6;
  const seconds = Math.trunc(milliseconds / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(seconds / 3600 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(seconds / 3600 / 24 / 365)} years`;
}

/**
 * The fields of moby's `swarm.Info` that the API leaves out when zero (`omitempty`): the CLI
 * decodes `GET /info` into that struct, so a template sees `0` and `<nil>` for them (`{{.Swarm.Nodes}}`
 * on a worker prints 0, not an error).
 */
const swarmInfoZeroValues: Readonly<Record<string, unknown>> = { Nodes: 0, Managers: 0, Cluster: null };

/**
 * `swarm` with the zero values of its absent `omitempty` fields, as non-enumerable properties:
 * a template reads them (`{{.Swarm.Nodes}}` prints 0) while `{{json .Swarm}}` leaves them out,
 * as Go's encoder does.
 */
function withSwarmInfoZeroValues(swarm: EngineJson): EngineJson {
  const result: EngineJson = { ...swarm };
  for (const [field, zero] of Object.entries(swarmInfoZeroValues)) {
    if (!(field in result)) Object.defineProperty(result, field, { value: zero, enumerable: false });
  }
  return result;
}

/** `docker info [--format F]`. */
export const infoCommand: DockerCommand = {
  definition: {
    path: "docker info",
    usage: "docker info [OPTIONS]",
    description: "Display system-wide information",
    arguments: { kind: "none" },
    flags: [{ name: "format", shorthand: "f", kind: "string", description: inspectFormatHelp }],
  },
  run(parsed: ParsedCommandLine, context: CommandContext): number {
    const format = parsed.string("format");
    let info: EngineJson | null = null;
    let serverError: string | null = null;
    try {
      info = context.client.systemInfo();
    } catch (error) {
      if (!(error instanceof EngineApiError)) throw error;
      serverError = errorText(error);
    }
    if (format !== "") {
      let template: GoTemplate;
      try {
        template = GoTemplate.parse(format === "json" ? "{{json .}}" : format);
      } catch (error) {
        if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 64);
        throw error;
      }
      const data = {
        ...(info ?? {}),
        ...(info?.Swarm ? { Swarm: withSwarmInfoZeroValues(info.Swarm as EngineJson) } : {}),
        ClientInfo: { Debug: false, Version: clientFacts.version, Context: clientFacts.context, Plugins: [], Warnings: null },
        ...(serverError !== null ? { ServerErrors: [serverError] } : {}),
      };
      try {
        context.output.out(`${template.execute(data)}\n`);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        throw new CommandError(error.message);
      }
      return 0;
    }
    context.output.out(`Client:\n Version:    ${clientFacts.version}\n Context:    ${clientFacts.context}\n Debug Mode: false\n\nServer:\n`);
    if (info !== null) {
      context.output.out(serverInfoText(info));
      for (const warning of (info.Warnings ?? []) as string[]) context.output.errLine(warning);
      return 0;
    }
    context.output.errLine(`ERROR: ${serverError}`);
    throw new CommandError("errors pretty printing info");
  },
};
