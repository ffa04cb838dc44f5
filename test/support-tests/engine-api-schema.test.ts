// Tests of test/support/engine-api-schema.ts, the check that JSON from swarmsim's
// Engine API matches the real Engine API definitions (swagger.yaml, v1.56). Values
// here are written by hand after the definitions and after what real engines send.
import { describe, expect, it } from "vitest";
import {
  ENGINE_API_KNOWN_GAPS,
  expectEngineApi,
  expectEngineApiResponse,
  validateEngineApi,
  validateEngineApiResponse,
} from "../support/engine-api-schema.js";

const CONTAINER_ID = "4f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
const IMAGE_ID = "sha256:7614ae9453d1d87e740a2056257a6de7135c84037c367e1fffa92ae922784631";

const containerSummary = {
  Id: CONTAINER_ID,
  Names: ["/web"],
  Image: "redis:3.0.6",
  ImageID: IMAGE_ID,
  Command: "docker-entrypoint.sh redis-server",
  Created: 1748858472,
  Ports: [{ PrivatePort: 6379, Type: "tcp" }],
  Labels: {},
  State: "running",
  Status: "Up 5 seconds",
  HostConfig: { NetworkMode: "bridge" },
  NetworkSettings: { Networks: {} },
  Mounts: [],
};

const systemVersion = {
  Platform: { Name: "Docker Engine - Community" },
  Components: [{ Name: "Engine", Version: "28.2.2", Details: { ApiVersion: "1.50", Os: "linux" } }],
  Version: "28.2.2",
  ApiVersion: "1.50",
  MinAPIVersion: "1.24",
  GitCommit: "45873be",
  GoVersion: "go1.24.3",
  Os: "linux",
  Arch: "amd64",
  KernelVersion: "6.1.0-35-amd64",
  BuildTime: "2025-05-30T12:07:26.000000000+00:00",
};

/**
 * A `docker inspect` of a swarm task's container, in the v1.56 shape, with the nulls
 * a real engine writes for Go nil slices, maps and pointers (`Binds`, `Entrypoint`,
 * `MemorySwappiness`, `IPAMConfig`, ...).
 */
const containerInspect = {
  Id: CONTAINER_ID,
  Created: "2025-06-02T10:01:12.123456789Z",
  Path: "docker-entrypoint.sh",
  Args: ["redis-server"],
  State: {
    Status: "running",
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 4242,
    ExitCode: 0,
    Error: "",
    StartedAt: "2025-06-02T10:01:12.523456789Z",
    FinishedAt: "0001-01-01T00:00:00Z",
  },
  Image: IMAGE_ID,
  ResolvConfPath: `/var/lib/docker/containers/${CONTAINER_ID}/resolv.conf`,
  HostnamePath: `/var/lib/docker/containers/${CONTAINER_ID}/hostname`,
  HostsPath: `/var/lib/docker/containers/${CONTAINER_ID}/hosts`,
  LogPath: `/var/lib/docker/containers/${CONTAINER_ID}/${CONTAINER_ID}-json.log`,
  Name: "/redis.1.0kzzo1i0y4jz6027t0k7aezc7",
  RestartCount: 0,
  Driver: "overlay2",
  Platform: "linux",
  MountLabel: "",
  ProcessLabel: "",
  AppArmorProfile: "docker-default",
  ExecIDs: null,
  HostConfig: {
    Binds: null,
    ContainerIDFile: "",
    LogConfig: { Type: "json-file", Config: {} },
    NetworkMode: "default",
    PortBindings: {},
    RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: "",
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: "private",
    Dns: null,
    DnsOptions: null,
    DnsSearch: null,
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: "private",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: "",
    UsernsMode: "",
    ShmSize: 67108864,
    Runtime: "runc",
    Isolation: "default",
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: "",
    CpusetMems: "",
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    Mounts: [{ Type: "volume", Source: "redis-data", Target: "/data", VolumeOptions: {} }],
    MaskedPaths: ["/proc/asound", "/proc/acpi", "/proc/kcore", "/sys/firmware"],
    ReadonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
  },
  GraphDriver: {
    Data: {
      LowerDir: "/var/lib/docker/overlay2/7f3c-init/diff:/var/lib/docker/overlay2/a1b2/diff",
      MergedDir: "/var/lib/docker/overlay2/7f3c/merged",
      UpperDir: "/var/lib/docker/overlay2/7f3c/diff",
      WorkDir: "/var/lib/docker/overlay2/7f3c/work",
    },
    Name: "overlay2",
  },
  Mounts: [
    {
      Type: "volume",
      Name: "redis-data",
      Source: "/var/lib/docker/volumes/redis-data/_data",
      Destination: "/data",
      Driver: "local",
      Mode: "z",
      RW: true,
      Propagation: "",
    },
  ],
  Config: {
    Hostname: "4f6a1b2c3d4e",
    Domainname: "",
    User: "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { "6379/tcp": {} },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "REDIS_VERSION=3.0.6"],
    Cmd: ["redis-server"],
    Image: "redis:3.0.6",
    Volumes: { "/data": {} },
    WorkingDir: "/data",
    Entrypoint: ["docker-entrypoint.sh"],
    OnBuild: null,
    Labels: {
      "com.docker.swarm.node.id": "60gvrl6tm78dmak4yl7srz94v",
      "com.docker.swarm.service.id": "9mnpnzenvg8p8tdbtq4wvbkcz",
      "com.docker.swarm.service.name": "redis",
      "com.docker.swarm.task": "",
      "com.docker.swarm.task.id": "0kzzo1i0y4jz6027t0k7aezc7",
      "com.docker.swarm.task.name": "redis.1.0kzzo1i0y4jz6027t0k7aezc7",
    },
  },
  NetworkSettings: {
    SandboxID: "9d12daf2c33f5959c8bf90aa513e4f65b561738661003029ec84830cd503a0c3",
    SandboxKey: "/var/run/docker/netns/9d12daf2c33f",
    Ports: { "6379/tcp": null },
    Networks: {
      ingress: {
        IPAMConfig: { IPv4Address: "10.0.0.7" },
        Links: null,
        Aliases: null,
        MacAddress: "02:42:0a:00:00:07",
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: "4qvuz4ko70xaltuqbt8956gd1",
        EndpointID: "b6e3d1f0c3a24e4f8a1b6c2d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
        Gateway: "",
        IPAddress: "10.0.0.7",
        IPPrefixLen: 24,
        IPv6Gateway: "",
        GlobalIPv6Address: "",
        GlobalIPv6PrefixLen: 0,
        DNSNames: ["redis.1.0kzzo1i0y4jz6027t0k7aezc7", "4f6a1b2c3d4e"],
      },
    },
  },
};

const serviceSpec = {
  Name: "redis",
  Labels: {},
  TaskTemplate: {
    ContainerSpec: { Image: "redis:3.0.6", Init: false, StopGracePeriod: 10000000000, DNSConfig: {}, Isolation: "default" },
    Resources: { Limits: {}, Reservations: {} },
    RestartPolicy: { Condition: "any", Delay: 5000000000, MaxAttempts: 0 },
    Placement: {},
    ForceUpdate: 0,
    Runtime: "container",
  },
  Mode: { Replicated: { Replicas: 3 } },
  UpdateConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5000000000, MaxFailureRatio: 0, Order: "stop-first" },
  RollbackConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5000000000, MaxFailureRatio: 0, Order: "stop-first" },
  EndpointSpec: { Mode: "vip" },
};

/** A service just rolled back: it has PreviousSpec and a rollback UpdateStatus. */
const service = {
  ID: "9mnpnzenvg8p8tdbtq4wvbkcz",
  Version: { Index: 42 },
  CreatedAt: "2025-06-02T10:00:51.880065305Z",
  UpdatedAt: "2025-06-02T10:03:29.962229872Z",
  Spec: serviceSpec,
  PreviousSpec: { ...serviceSpec, Mode: { Replicated: { Replicas: 2 } } },
  Endpoint: { Spec: { Mode: "vip" }, VirtualIPs: [{ NetworkID: "4qvuz4ko70xaltuqbt8956gd1", Addr: "10.0.0.5/24" }] },
  UpdateStatus: {
    State: "rollback_completed",
    StartedAt: "2025-06-02T10:02:00.000000001Z",
    CompletedAt: "2025-06-02T10:03:29.962229872Z",
    Message: "rollback completed",
  },
};

const task = {
  ID: "0kzzo1i0y4jz6027t0k7aezc7",
  Version: { Index: 71 },
  CreatedAt: "2025-06-02T10:01:07.171892745Z",
  UpdatedAt: "2025-06-02T10:01:12.376370513Z",
  Labels: {},
  Spec: serviceSpec.TaskTemplate,
  ServiceID: "9mnpnzenvg8p8tdbtq4wvbkcz",
  Slot: 1,
  NodeID: "60gvrl6tm78dmak4yl7srz94v",
  Status: {
    Timestamp: "2025-06-02T10:01:12.290032978Z",
    State: "running",
    Message: "started",
    ContainerStatus: { ContainerID: CONTAINER_ID, PID: 4242, ExitCode: 0 },
    PortStatus: {},
  },
  DesiredState: "running",
  NetworksAttachments: [
    {
      Network: {
        ID: "4qvuz4ko70xaltuqbt8956gd1",
        Version: { Index: 18 },
        CreatedAt: "2025-06-02T09:59:11.912919752Z",
        UpdatedAt: "2025-06-02T10:00:29.955277358Z",
        Spec: {
          Name: "ingress",
          Labels: {},
          DriverConfiguration: {},
          Ingress: true,
          IPAMOptions: { Driver: {}, Configs: [{ Subnet: "10.0.0.0/24", Gateway: "10.0.0.1" }] },
          Scope: "swarm",
        },
        DriverState: { Name: "overlay", Options: { "com.docker.network.driver.overlay.vxlanid_list": "4096" } },
        IPAMOptions: { Driver: { Name: "default" }, Configs: [{ Subnet: "10.0.0.0/24", Gateway: "10.0.0.1" }] },
      },
      Addresses: ["10.0.0.7/24"],
    },
  ],
  Volumes: null,
};

const node = {
  ID: "60gvrl6tm78dmak4yl7srz94v",
  Version: { Index: 9 },
  CreatedAt: "2025-06-02T09:59:10.012345678Z",
  UpdatedAt: "2025-06-02T09:59:11.512345678Z",
  Spec: { Labels: {}, Role: "manager", Availability: "active" },
  Description: {
    Hostname: "manager1",
    Platform: { Architecture: "x86_64", OS: "linux" },
    Resources: { NanoCPUs: 4000000000, MemoryBytes: 8272408576 },
    Engine: {
      EngineVersion: "28.2.2",
      Plugins: [
        { Type: "Log", Name: "json-file" },
        { Type: "Network", Name: "overlay" },
        { Type: "Volume", Name: "local" },
      ],
    },
    TLSInfo: { TrustRoot: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n", CertIssuerSubject: "MBMxETAPBgNVBAMTCHN3YXJtLWNh", CertIssuerPublicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" },
  },
  Status: { State: "ready", Addr: "10.10.0.2" },
  ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "10.10.0.2:2377" },
};

describe("validateEngineApi: minimal valid values", () => {
  it("accepts a minimal ContainerSummary, SystemVersion and ErrorResponse", () => {
    expect(validateEngineApi("ContainerSummary", containerSummary)).toEqual([]);
    expect(validateEngineApi("SystemVersion", systemVersion)).toEqual([]);
    expect(validateEngineApi("ErrorResponse", { message: "No such container: web" })).toEqual([]);
  });

  it("accepts other everyday definitions", () => {
    expect(
      validateEngineApi("Volume", {
        CreatedAt: "2025-06-02T10:00:00+02:00",
        Driver: "local",
        Labels: null,
        Mountpoint: "/var/lib/docker/volumes/redis-data/_data",
        Name: "redis-data",
        Options: null,
        Scope: "local",
      }),
    ).toEqual([]);
    expect(
      validateEngineApi("ImageSummary", {
        Id: IMAGE_ID,
        ParentId: "",
        RepoTags: ["redis:3.0.6"],
        RepoDigests: [],
        Created: 1452816474,
        Size: 131476523,
        SharedSize: -1,
        Labels: {},
        Containers: 2,
      }),
    ).toEqual([]);
  });
});

describe("validateEngineApi: errors name the path of the bad value", () => {
  it("rejects a misspelled field in strict mode, and only there", () => {
    const { Image, ...rest } = containerSummary;
    const misspelled = { ...rest, Imagee: Image };
    expect(validateEngineApi("ContainerSummary", misspelled)).toEqual([
      "ContainerSummary.Imagee: unknown property (not in the Engine API definition)",
    ]);
    expect(validateEngineApi("ContainerSummary", misspelled, { strict: false })).toEqual([]);
  });

  it("rejects a wrong type", () => {
    const errors = validateEngineApi("ContainerSummary", { ...containerSummary, Created: "yesterday" });
    expect(errors).toEqual(['ContainerSummary.Created: must be integer (got "yesterday")']);
  });

  it("rejects a value outside an enum, listing the allowed ones", () => {
    const errors = validateEngineApi("ContainerSummary", { ...containerSummary, State: "bogus" });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ContainerSummary\.State: must be one of "created", "running", .*\(got "bogus"\)$/);
  });

  it("names nested paths, map keys and every error at once", () => {
    const errors = validateEngineApi("ContainerSummary", {
      ...containerSummary,
      Ports: [{ PrivatePort: 6379, Type: "tcp" }, { PrivatePort: 53, Type: "UDP" }],
      Labels: { "com.example.team": 7 },
    });
    expect(errors).toEqual([
      expect.stringMatching(/^ContainerSummary\.Ports\[1\]\.Type: must be one of "tcp", "udp", "sctp" \(got "UDP"\)$/),
      'ContainerSummary.Labels["com.example.team"]: must be string (got 7)',
    ]);
  });

  it("reports missing required properties", () => {
    expect(validateEngineApi("ErrorResponse", {})).toEqual(["ErrorResponse.message: required property is missing"]);
  });

  it("checks dateTime strings as RFC 3339 and integer formats by range", () => {
    expect(validateEngineApi("Service", { ...service, CreatedAt: "2 minutes ago" })).toEqual([
      'Service.CreatedAt: must match format "date-time" (got "2 minutes ago")',
    ]);
    expect(validateEngineApi("Service", { ...service, UpdatedAt: "2025-06-02 10:03:29" })).toHaveLength(1);
    expect(validateEngineApi("Service", { ...service, Version: { Index: -1 } })).toEqual([
      'Service.Version.Index: must match format "uint64" (got -1)',
    ]);
    expect(validateEngineApi("PortSummary", { PrivatePort: 70000, Type: "tcp" })).toEqual([
      'PortSummary.PrivatePort: must match format "uint16" (got 70000)',
    ]);
  });

  it("checks ip-address and CIDR strings", () => {
    expect(validateEngineApi("PortSummary", { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" })).toEqual([]);
    expect(validateEngineApi("PortSummary", { IP: "localhost", PrivatePort: 80, Type: "tcp" })).toEqual([
      'PortSummary.IP: must match format "ip-address" (got "localhost")',
    ]);
    expect(validateEngineApi("NetworkAttachment", { Addresses: ["10.0.0.7"] })).toEqual([
      'NetworkAttachment.Addresses[0]: must match format "cidr" (got "10.0.0.7")',
    ]);
  });

  it("throws for a definition that does not exist", () => {
    expect(() => validateEngineApi("ContainerSumary", {})).toThrow(/no definition "ContainerSumary"/);
  });
});

describe("nulls", () => {
  it("allows null where the file says x-nullable, on fields and on $refs", () => {
    expect(validateEngineApi("ContainerInspectResponse", { Created: null, GraphDriver: null, State: null })).toEqual([]);
    expect(validateEngineApi("ContainerSummary", { ...containerSummary, SizeRw: null, ImageManifestDescriptor: null })).toEqual([]);
  });

  it("still checks the value behind a nullable $ref when it is not null", () => {
    expect(validateEngineApi("ContainerInspectResponse", { GraphDriver: { Name: "overlay2" } })).toEqual([
      "ContainerInspectResponse.GraphDriver.Data: required property is missing",
    ]);
  });

  it("allows Go's null for nil slices and maps unless nilCollections is false", () => {
    const value = { HostConfig: { Binds: null, StorageOpt: null } };
    expect(validateEngineApi("ContainerInspectResponse", value)).toEqual([]);
    expect(validateEngineApi("ContainerInspectResponse", value, { nilCollections: false })).toEqual([
      "ContainerInspectResponse.HostConfig.Binds: must be array (got null)",
      "ContainerInspectResponse.HostConfig.StorageOpt: must be object (got null)",
    ]);
  });

  it("never allows null for scalars and structs that are not nullable, nor at the top", () => {
    expect(validateEngineApi("ContainerSummary", { ...containerSummary, Image: null, HostConfig: null })).toEqual([
      "ContainerSummary.Image: must be string (got null)",
      "ContainerSummary.HostConfig: must be object (got null)",
    ]);
    expect(validateEngineApi("ContainerSummary", null)).toEqual(["ContainerSummary: must not be null"]);
    expect(validateEngineApiResponse("GET", "/containers/json", 200, null)).toEqual([
      "GET /containers/json 200: must not be null",
    ]);
  });
});

describe("real-world shapes", () => {
  it("accepts a docker inspect of a swarm task's container", () => {
    expectEngineApi("ContainerInspectResponse", containerInspect);
    expectEngineApiResponse("GET", "/containers/{id}/json", 200, containerInspect);
  });

  it("rejects the pre-v1.52 NetworkSettings fields that v1.56 removed", () => {
    const legacy = {
      ...containerInspect,
      NetworkSettings: { ...containerInspect.NetworkSettings, Bridge: "", IPAddress: "172.17.0.2" },
    };
    expect(validateEngineApi("ContainerInspectResponse", legacy)).toEqual([
      "ContainerInspectResponse.NetworkSettings.Bridge: unknown property (not in the Engine API definition)",
      "ContainerInspectResponse.NetworkSettings.IPAddress: unknown property (not in the Engine API definition)",
    ]);
  });

  it("accepts a Node, a rolled-back Service and a Task", () => {
    expectEngineApi("Node", node);
    expectEngineApi("Service", service);
    expectEngineApi("Task", task);
    expectEngineApiResponse("GET", "/services", 200, [service]);
    expectEngineApiResponse("GET", "/tasks", 200, [task]);
    expectEngineApiResponse("GET", "/nodes/{id}", 200, node);
  });
});

describe("ENGINE_API_KNOWN_GAPS", () => {
  it("gives every entry a reason", () => {
    for (const gap of ENGINE_API_KNOWN_GAPS) expect(gap.reason.length, gap.definition).toBeGreaterThan(20);
  });

  it("allows Service.PreviousSpec, checking its contents", () => {
    expect(validateEngineApi("Service", { ...service, PreviousSpec: { Name: "redis", Replicas: 2 } })).toEqual([
      "Service.PreviousSpec.Replicas: unknown property (not in the Engine API definition)",
    ]);
  });

  it("allows Task.Volumes and Task.GenericResources", () => {
    const volumes = [{ ID: "vol1", Source: "data", Target: "/data" }];
    expect(validateEngineApi("Task", { ...task, Volumes: volumes })).toEqual([]);
    expect(validateEngineApi("Task", { ...task, GenericResources: [{ DiscreteResourceSpec: { Kind: "SSD", Value: 1 } }] })).toEqual([]);
  });

  it("has the real task and update states", () => {
    expect(validateEngineApi("TaskState", "orphaned")).toEqual([]);
    expect(validateEngineApi("TaskState", "allocated")).toHaveLength(1);
    for (const state of ["updating", "paused", "completed", "rollback_started", "rollback_paused", "rollback_completed"]) {
      expect(validateEngineApi("Service", { ...service, UpdateStatus: { State: state } })).toEqual([]);
    }
  });

  it("describes a task's network attachment as a swarm network", () => {
    const local = { Network: { Name: "ingress", Id: "4qvuz4ko70xaltuqbt8956gd1", Scope: "swarm" }, Addresses: [] };
    expect(validateEngineApi("NetworkAttachment", local)).toEqual([
      "NetworkAttachment.Network.Name: unknown property (not in the Engine API definition)",
      "NetworkAttachment.Network.Id: unknown property (not in the Engine API definition)",
      "NetworkAttachment.Network.Scope: unknown property (not in the Engine API definition)",
    ]);
  });
});

describe("validateEngineApiResponse", () => {
  it("resolves inline array schemas of an operation's response", () => {
    expect(validateEngineApiResponse("GET", "/containers/json", 200, [containerSummary])).toEqual([]);
    expect(validateEngineApiResponse("get", "/containers/json", 200, [{ ...containerSummary, Imagee: "x" }])).toEqual([
      "GET /containers/json 200[0].Imagee: unknown property (not in the Engine API definition)",
    ]);
  });

  it("resolves $ref and inline object schemas", () => {
    expect(validateEngineApiResponse("GET", "/containers/json", 500, { message: "boom" })).toEqual([]);
    expect(validateEngineApiResponse("GET", "/version", 200, systemVersion)).toEqual([]);
    expect(validateEngineApiResponse("POST", "/services/create", 201, { ID: "ak7w3gjqoa3kuz8xcpnyy0pvl" })).toEqual([]);
  });

  it("throws for an operation or status the file does not describe", () => {
    expect(() => validateEngineApiResponse("GET", "/containers/list", 200, [])).toThrow(/no response GET \/containers\/list 200/);
    expect(() => validateEngineApiResponse("GET", "/containers/json", 418, [])).toThrow(/no response/);
  });
});

describe("expectEngineApi", () => {
  it("passes silently for valid values", () => {
    expect(() => expectEngineApi("ErrorResponse", { message: "ok" })).not.toThrow();
  });

  it("throws an Error listing every problem", () => {
    expect(() => expectEngineApi("ContainerSummary", { ...containerSummary, Imagee: "x", State: "bogus" })).toThrow(
      /^not a valid Engine API ContainerSummary:\n {2}- ContainerSummary\.Imagee: unknown property.*\n {2}- ContainerSummary\.State: must be one of/s,
    );
  });
});
