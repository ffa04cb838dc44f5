// The image catalogue (the simulated Docker Hub's content) and Docker's reference parsing:
// lookups by tag and digest, real configurations, layer sizes, and the invalid-reference texts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidReferenceError,
  canonicalString,
  catalogueTags,
  familiarString,
  lookupManifest,
  lookupReference,
  manifestSizeBytes,
  parseReference,
  repositoryExists,
  stableDigest,
  withDefaultTag,
} from "../../../src/engine/images/catalogue.js";
import { propertyOptions } from "../../helpers/property.js";

const megabyte = 1_000_000;

describe("image catalogue", () => {
  it("serves the official images with their real configurations", () => {
    const nginx = lookupManifest("library/nginx", "latest")!;
    expect(nginx.config.Entrypoint).toEqual(["/docker-entrypoint.sh"]);
    expect(nginx.config.Cmd).toEqual(["nginx", "-g", "daemon off;"]);
    expect(nginx.config.ExposedPorts).toEqual({ "80/tcp": {} });
    expect(nginx.config.StopSignal).toBe("SIGQUIT");
    expect(nginx.layers).toHaveLength(7);
    expect(manifestSizeBytes(nginx)).toBeGreaterThan(65 * megabyte);
    expect(manifestSizeBytes(nginx)).toBeLessThan(75 * megabyte);
    expect(nginx.architecture).toBe("amd64");
    expect(nginx.os).toBe("linux");

    const redis = lookupManifest("library/redis", "latest")!;
    expect(redis.config.Entrypoint).toEqual(["docker-entrypoint.sh"]);
    expect(redis.config.Cmd).toEqual(["redis-server"]);
    expect(redis.config.ExposedPorts).toEqual({ "6379/tcp": {} });
    expect(redis.config.WorkingDir).toBe("/data");
    expect(manifestSizeBytes(redis)).toBeGreaterThan(40 * megabyte);
    expect(manifestSizeBytes(redis)).toBeLessThan(50 * megabyte);

    const alpine = lookupManifest("library/alpine", "latest")!;
    expect(alpine.config.Cmd).toEqual(["/bin/sh"]);
    expect(alpine.layers).toHaveLength(1);
    expect(manifestSizeBytes(alpine)).toBeGreaterThan(3 * megabyte);
    expect(manifestSizeBytes(alpine)).toBeLessThan(4 * megabyte);

    const busybox = lookupManifest("library/busybox", "1.36")!;
    expect(busybox.config.Cmd).toEqual(["sh"]);
    expect(manifestSizeBytes(busybox)).toBeLessThan(2.5 * megabyte);

    expect(lookupManifest("library/redis", "3.0.6")!.config.Env).toContain("REDIS_VERSION=3.0.6");
    expect(lookupManifest("progrium/stress", "latest")!.config.Entrypoint).toEqual(["/usr/bin/stress", "--verbose"]);
    expect(lookupManifest("swarmsim/crasher", "latest")!.config.Env).toContain("EXIT_CODE=1");
    for (const tag of ["3.20", "3.19"]) expect(lookupManifest("library/alpine", tag)).toBeDefined();
    for (const tag of ["1.27", "alpine"]) expect(lookupManifest("library/nginx", tag)).toBeDefined();
    for (const tag of ["7", "alpine"]) expect(lookupManifest("library/redis", tag)).toBeDefined();
  });

  it("gives aliases one digest and shares base layers between images", () => {
    const latest = lookupManifest("library/nginx", "latest")!;
    const minor = lookupManifest("library/nginx", "1.27")!;
    expect(minor.digest).toBe(latest.digest);
    expect(minor.imageId).toBe(latest.imageId);
    expect(minor.tag).toBe("1.27");
    expect(lookupManifest("library/nginx", latest.digest)!.imageId).toBe(latest.imageId);
    expect(lookupManifest("library/nginx", "alpine")!.digest).not.toBe(latest.digest);
    // debian bookworm-slim under nginx and redis; alpine under nginx:alpine.
    expect(lookupManifest("library/redis", "latest")!.layers[0]!.digest).toBe(latest.layers[0]!.digest);
    expect(lookupManifest("library/nginx", "alpine")!.layers[0]!.digest).toBe(lookupManifest("library/alpine", "latest")!.layers[0]!.digest);
    for (const { repository, tag } of catalogueTags()) {
      const manifest = lookupManifest(repository, tag)!;
      for (const digest of [manifest.digest, manifest.imageId, ...manifest.layers.map((layer) => layer.digest)]) {
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
      expect(manifest.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    expect(stableDigest("x")).toBe(stableDigest("x"));
    expect(stableDigest("x")).not.toBe(stableDigest("y"));
  });

  it("knows which repositories and tags exist", () => {
    expect(repositoryExists("library/nginx")).toBe(true);
    expect(repositoryExists("doesnotexist/nope")).toBe(false);
    expect(lookupManifest("library/nginx", "nosuchtag")).toBeUndefined();
    expect(lookupManifest("doesnotexist/nope", "latest")).toBeUndefined();
  });
});

describe("parseReference", () => {
  it("normalizes references the way Docker does", () => {
    expect(canonicalString(withDefaultTag(parseReference("nginx")))).toBe("docker.io/library/nginx:latest");
    expect(parseReference("redis:3.0.6")).toEqual({ domain: "docker.io", path: "library/redis", tag: "3.0.6", digest: null });
    expect(parseReference("user/repo:tag")).toEqual({ domain: "docker.io", path: "user/repo", tag: "tag", digest: null });
    expect(parseReference("docker.io/library/alpine:3.19").path).toBe("library/alpine");
    expect(parseReference("index.docker.io/library/alpine").domain).toBe("docker.io");
    expect(parseReference("localhost:5000/x")).toEqual({ domain: "localhost:5000", path: "x", tag: null, digest: null });
    expect(parseReference("localhost/x").domain).toBe("localhost");
    const digest = lookupManifest("library/nginx", "latest")!.digest;
    const pinned = parseReference(`nginx@${digest}`);
    expect(pinned.digest).toBe(digest);
    expect(familiarString(pinned)).toBe(`nginx@${digest}`);
    expect(lookupReference(pinned)!.tag).toBe("1.27.4");
    expect(lookupReference(parseReference("nginx"))!.tag).toBe("latest");
    expect(lookupReference(parseReference("localhost:5000/nginx"))).toBeUndefined();
    expect(lookupReference(parseReference("redis:nosuchtag"))).toBeUndefined();
  });

  it("rejects invalid references with Docker's text", () => {
    const message = (text: string) => {
      try {
        parseReference(text);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidReferenceError);
        return (error as Error).message;
      }
      return "parsed";
    };
    expect(message("Nginx")).toBe("invalid reference format: repository name must be lowercase");
    expect(message("user/Repo:tag")).toBe("invalid reference format: repository name must be lowercase");
    expect(message("nginx:")).toBe("invalid reference format");
    expect(message("nginx:bad tag")).toBe("invalid reference format");
    expect(message("-nginx")).toBe("invalid reference format");
    expect(message("nginx@sha256:abc")).toBe("invalid reference format");
    expect(message(`nginx@sha256:${"a".repeat(63)}`)).toBe("invalid checksum digest length");
    expect(message(`nginx@sha256:${"A".repeat(64)}`)).toBe("invalid checksum digest format");
    expect(message("")).toBe("invalid reference format");
    expect(message("a".repeat(64))).toBe(`invalid repository name (${"a".repeat(64)}), cannot specify 64-byte hexadecimal strings`);
  });

  it("round-trips familiar strings (property)", () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,8})?$/);
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/), { nil: null });
    const digest = fc.option(fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`), { nil: null });
    const domain = fc.constantFrom("docker.io", "localhost:5000", "registry.example.com", "10.0.0.1:443");
    fc.assert(
      fc.property(domain, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digest, (domainName, parts, tagName, digestText) => {
        const path = domainName === "docker.io" && parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
        const reference = { domain: domainName, path, tag: tagName, digest: digestText };
        expect(parseReference(canonicalString(reference))).toEqual(reference);
        // A Docker Hub namespace with a dot (`a.b/c`) reads back as a registry, in Docker too.
        if (domainName !== "docker.io" || parts.length === 1 || !parts[0]!.includes(".")) {
          expect(parseReference(familiarString(reference))).toEqual(reference);
        }
      }),
      propertyOptions("reference round trip", 300),
    );
  });
});
