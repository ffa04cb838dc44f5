// Tests for durations, sizes, docker ps STATUS/CREATED and --memory/--cpus parsing. Expected
// values: docker/go-units v0.5.0 duration_test.go and size_test.go (line numbers given), moby
// v28.2.2 container/state.go formats, and the real docker 28.2.2 CLI for the error texts
// (`docker run -m <value> alpine`, `docker run --cpus <value> alpine`: the value is accepted when
// the CLI gets as far as "Cannot connect to the Docker daemon").
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bytesSize,
  containerStatus,
  createdSince,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  parseHumanSize,
  parseMemoryBytes,
  parseNanoCpus,
  type ContainerStatusState,
} from "../../src/cli/units.js";
import { formatGoFloatG } from "../../src/cli/go-format.js";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const week = 7 * day;
const month = 30 * day;
const year = 365 * day;

describe("humanDuration (go-units duration_test.go:50-94)", () => {
  it.each([
    [450, "Less than a second"],
    [1 * second, "1 second"],
    [45 * second, "45 seconds"],
    [59 * second, "59 seconds"],
    [60 * second, "About a minute"],
    [3 * minute, "3 minutes"],
    [35 * minute + 40 * second, "35 minutes"],
    [59 * minute, "59 minutes"],
    [1 * hour, "About an hour"],
    [1 * hour + 29 * minute, "About an hour"],
    [1 * hour + 31 * minute, "2 hours"],
    [3 * hour + 29 * minute, "3 hours"],
    [3 * hour + 31 * minute, "4 hours"],
    [24 * hour, "24 hours"],
    [1 * day + 12 * hour, "36 hours"],
    [2 * day, "2 days"],
    [13 * day + 5 * hour, "13 days"],
    [2 * week, "2 weeks"],
    [4 * week + 3 * day, "4 weeks"],
    [1 * month, "4 weeks"],
    [1 * month + 2 * week, "6 weeks"],
    [2 * month, "2 months"],
    [5 * month + 2 * week, "5 months"],
    [24 * month, "24 months"],
    [24 * month + 2 * week, "2 years"],
    [3 * year + 2 * month, "3 years"],
    [-5 * second, "Less than a second"],
  ])("%d ms is %j", (durationMs, expected) => {
    expect(humanDuration(durationMs)).toBe(expected);
  });

  it("never decreases as the duration grows (property)", () => {
    const rank = (text: string): number => {
      const units = ["Less than a second", "second", "minute", "hour", "day", "week", "month", "year"];
      const unit = units.findIndex((name) => text === name || text.includes(` ${name}`) || text.endsWith(name) || (name === "minute" && text === "About a minute") || (name === "hour" && text === "About an hour"));
      const count = /^\d+/.exec(text)?.[0];
      return unit * 1e6 + (count ? Number(count) : 1);
    };
    fc.assert(
      fc.property(fc.nat(10 * year), fc.nat(10 * year), (first, second) => {
        const [low, high] = first <= second ? [first, second] : [second, first];
        expect(rank(humanDuration(low))).toBeLessThanOrEqual(rank(humanDuration(high)));
      }),
    );
  });
});

describe("docker ps STATUS and CREATED (moby container/state.go State.String)", () => {
  const base: ContainerStatusState = {
    running: false,
    paused: false,
    restarting: false,
    removalInProgress: false,
    dead: false,
    startedAtMs: null,
    finishedAtMs: null,
    exitCode: 0,
    health: null,
  };
  const now = 1_000_000_000;

  it("describes each state", () => {
    expect(containerStatus(base, now)).toBe("Created");
    expect(containerStatus({ ...base, running: true, startedAtMs: now - 5 * second }, now)).toBe("Up 5 seconds");
    expect(containerStatus({ ...base, running: true, startedAtMs: now - 400 }, now)).toBe("Up Less than a second");
    expect(containerStatus({ ...base, running: true, paused: true, startedAtMs: now - 2 * minute }, now)).toBe("Up 2 minutes (Paused)");
    expect(containerStatus({ ...base, running: true, startedAtMs: now - 3 * hour, health: "healthy" }, now)).toBe("Up 3 hours (healthy)");
    expect(containerStatus({ ...base, running: true, startedAtMs: now - 1 * second, health: "starting" }, now)).toBe("Up 1 second (health: starting)");
    expect(containerStatus({ ...base, running: true, restarting: true, exitCode: 1, startedAtMs: now - minute, finishedAtMs: now - 4 * second }, now)).toBe(
      "Restarting (1) 4 seconds ago",
    );
    expect(containerStatus({ ...base, startedAtMs: now - hour, finishedAtMs: now - 2 * minute }, now)).toBe("Exited (0) 2 minutes ago");
    expect(containerStatus({ ...base, startedAtMs: now - hour, finishedAtMs: now - 2 * minute, exitCode: 137 }, now)).toBe("Exited (137) 2 minutes ago");
    expect(containerStatus({ ...base, removalInProgress: true, startedAtMs: 0 }, now)).toBe("Removal In Progress");
    expect(containerStatus({ ...base, dead: true, startedAtMs: 0 }, now)).toBe("Dead");
  });

  it("measures CREATED from whole seconds, as docker's time.Unix(created, 0)", () => {
    expect(createdSince(now - 2 * minute, now)).toBe("2 minutes ago");
    expect(createdSince(1_999, 2_500)).toBe("1 second ago");
    expect(createdSince(24 * hour, 48 * hour)).toBe("24 hours ago");
  });
});

describe("sizes", () => {
  it("formats like go-units HumanSize (precision 4; size_test.go:74-82)", () => {
    expect(humanSizeWithPrecision(1000, 4)).toBe("1kB");
    expect(humanSizeWithPrecision(1024, 4)).toBe("1.024kB");
    expect(humanSizeWithPrecision(1048576, 4)).toBe("1.049MB");
    expect(humanSizeWithPrecision(3.42e9, 4)).toBe("3.42GB");
    expect(humanSizeWithPrecision(5.372e12, 4)).toBe("5.372TB");
    expect(humanSizeWithPrecision(1e13 * 1e15, 4)).toBe("1e+04YB");
  });

  it("formats like docker images SIZE (precision 3)", () => {
    // Golden strings: docker/cli container_test.go "0B"; alpine 7.8MB and nginx 142MB as docker images shows them.
    expect(humanSize(0)).toBe("0B");
    expect(humanSize(7_800_000)).toBe("7.8MB");
    expect(humanSize(7_834_522)).toBe("7.83MB");
    expect(humanSize(141_800_000)).toBe("142MB");
    expect(humanSize(999)).toBe("999B");
    expect(humanSize(999_999)).toBe("1e+03kB");
    expect(humanSize(1125)).toBe("1.12kB"); // Go rounds the exact half 1.125 to even.
  });

  it("formats binary sizes like go-units BytesSize (size_test.go:63-70)", () => {
    expect(bytesSize(1024)).toBe("1KiB");
    expect(bytesSize(1024 * 1024)).toBe("1MiB");
    expect(bytesSize(2 * 1024 ** 2)).toBe("2MiB");
    expect(bytesSize(3.42 * 1024 ** 3)).toBe("3.42GiB");
    expect(bytesSize(5.372 * 1024 ** 4)).toBe("5.372TiB");
    expect(bytesSize(2.22 * 1024 ** 5)).toBe("2.22PiB");
    expect(bytesSize(1024 ** 5 * 1024 ** 5)).toBe("1.049e+06YiB");
    expect(bytesSize(1.5 * 1024 ** 3)).toBe("1.5GiB");
  });

  it("formats %g like Go", () => {
    expect(formatGoFloatG(0.000012345, 3)).toBe("1.23e-05");
    expect(formatGoFloatG(0.00012345, 3)).toBe("0.000123");
    expect(formatGoFloatG(100, 3)).toBe("100");
    expect(formatGoFloatG(1000, 3)).toBe("1e+03");
    expect(formatGoFloatG(-2.5, 3)).toBe("-2.5");
  });

  it("never decreases as the size grows, and stays within 0.5% (property)", () => {
    const parse = (text: string): number => {
      const parsed = parseHumanSize(text);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.value;
    };
    fc.assert(
      fc.property(fc.nat(2 ** 50), fc.nat(2 ** 50), (first, second) => {
        const [low, high] = first <= second ? [first, second] : [second, first];
        expect(parse(humanSize(low))).toBeLessThanOrEqual(parse(humanSize(high)));
        expect(Math.abs(parse(humanSize(high)) - high)).toBeLessThanOrEqual(high * 0.005 + 1);
      }),
    );
  });
});

describe("parseMemoryBytes (RAMInBytes; size_test.go:163-191 and the docker CLI)", () => {
  it.each([
    ["32", 32],
    ["32b", 32],
    ["32k", 32 * 1024],
    ["32Kib", 32 * 1024],
    ["32KIB", 32 * 1024],
    ["32Mb", 32 * 1024 ** 2],
    ["32Gb", 32 * 1024 ** 3],
    ["32PB", 32 * 1024 ** 5],
    ["32.3", 32],
    ["32.3 mb", Math.trunc(32.3 * 1024 ** 2)],
    ["0.3MB", Math.trunc(0.3 * 1024 ** 2)],
    ["512m", 536_870_912],
    ["1 m", 1024 ** 2],
    ["-0", 0],
    ["1_0", 10],
    [".5k", 512],
  ])("%j is %d bytes", (text, bytes) => {
    expect(parseMemoryBytes(text)).toEqual({ ok: true, value: bytes });
  });

  it.each([
    ["abc", "invalid size: 'abc'"],
    ["", "invalid size: ''"],
    ["-1", "invalid size: '-1'"],
    ["Inf", "invalid size: 'Inf'"],
    ["1.5x", "invalid suffix: 'x'"],
    ["5x", "invalid suffix: 'x'"],
    ["1ki", "invalid suffix: 'ki'"],
    ["1bb", "invalid suffix: 'bb'"],
    ["32bm", "invalid suffix: 'bm'"],
    ["1.5.5m", 'strconv.ParseFloat: parsing "1.5.5": invalid syntax'],
    ["1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'],
    [" 1m", 'strconv.ParseFloat: parsing " 1": invalid syntax'],
    [".m", 'strconv.ParseFloat: parsing ".": invalid syntax'],
    ["0x10", 'strconv.ParseFloat: parsing "0x10": invalid syntax'],
    ["32m b", 'strconv.ParseFloat: parsing "32m": invalid syntax'],
  ])("%j fails with %j", (text, error) => {
    expect(parseMemoryBytes(text)).toEqual({ ok: false, error });
  });
});

describe("parseNanoCpus (docker opts.ParseCPUs, checked with docker run --cpus)", () => {
  it.each([
    ["1.5", 1_500_000_000],
    [".5", 500_000_000],
    ["1.", 1_000_000_000],
    ["2/4", 500_000_000],
    ["-1/2", -500_000_000],
    ["+2", 2_000_000_000],
    ["1e-9", 1],
    ["1.5e1", 15_000_000_000],
    ["0x10", 16_000_000_000],
    ["1_0", 10_000_000_000],
    ["-1", -1_000_000_000],
  ])("%j is %d nano CPUs", (text, nanoCpus) => {
    expect(parseNanoCpus(text)).toEqual({ ok: true, value: nanoCpus });
  });

  it.each([
    ["abc", "failed to parse abc as a rational number"],
    ["", "failed to parse  as a rational number"],
    ["1.5.5", "failed to parse 1.5.5 as a rational number"],
    ["1/0", "failed to parse 1/0 as a rational number"],
    ["1/-2", "failed to parse 1/-2 as a rational number"],
    ["1 ", "failed to parse 1  as a rational number"],
    [" 1", "failed to parse  1 as a rational number"],
    ["0.0000000001", "value is too precise"],
    ["1/3", "value is too precise"],
  ])("%j fails with %j", (text, error) => {
    expect(parseNanoCpus(text)).toEqual({ ok: false, error });
  });
});
