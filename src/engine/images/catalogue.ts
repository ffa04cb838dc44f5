/**
 * Docker Hub as swarmsim knows it: the images the simulated registry serves (alpine, busybox,
 * nginx, redis, progrium/stress and swarmsim/crasher), with their real configurations
 * (Cmd, Entrypoint, Env, ExposedPorts, WorkingDir, StopSignal...), realistic compressed layer
 * sizes, fixed build dates, and deterministic digests; plus Docker's image reference parsing
 * (distribution/reference `ParseNormalizedNamed`) with its error texts.
 *
 * Digests are not real sha256 sums: they are `sha256:` and 64 hex digits built from a stable
 * hash of a name (the repository and build for manifests and configs, a layer key for layers,
 * so a base layer shared by two images, like debian bookworm-slim under nginx and redis, has
 * one digest and is pulled once).
 */
import type { ImageConfig, ImageLayer, ImageManifest } from "../registry-api.js";
import { hashText } from "../../sim/hash.js";

// ---------------------------------------------------------------- digests

/** How many 16-digit stable hashes make the 64 hex digits of a digest. */
const hashesPerDigest = 4;

/** A deterministic `sha256:<64 hex>` digest for a name (not a real sha256 of any content). */
export function stableDigest(name: string): string {
  let hex = "";
  for (let part = 0; part < hashesPerDigest; part++) hex += hashText(`${name}#${part}`);
  return `sha256:${hex}`;
}

// ---------------------------------------------------------------- the catalogue

/** The PATH every Docker Official Image sets. */
const standardPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** One layer as the catalogue declares it: a key (shared layers share it) and a compressed size. */
interface LayerDeclaration {
  readonly key: string;
  readonly sizeBytes: number;
}

/** One build of an image, with every tag that points at it. */
interface BuildDeclaration {
  /** The repository path on the registry, e.g. `library/nginx`. */
  readonly repository: string;
  /** Tags pointing at this build; the first is its own version tag. */
  readonly tags: readonly string[];
  readonly layers: readonly LayerDeclaration[];
  readonly config: ImageConfig;
  /** RFC 3339 build date of the image. */
  readonly created: string;
}

/** A config with every field empty, to spread the real values over. */
const emptyConfig: ImageConfig = {
  Cmd: null,
  Entrypoint: null,
  Env: [standardPath],
  ExposedPorts: null,
  WorkingDir: "",
  Labels: null,
  StopSignal: null,
  User: "",
  Volumes: null,
};

// Base layers shared between images (sizes are the compressed amd64 blobs, rounded).
const alpine321Layer: LayerDeclaration = { key: "alpine-minirootfs-3.21.3-x86_64", sizeBytes: 3_642_881 };
const alpine320Layer: LayerDeclaration = { key: "alpine-minirootfs-3.20.6-x86_64", sizeBytes: 3_626_898 };
const alpine319Layer: LayerDeclaration = { key: "alpine-minirootfs-3.19.7-x86_64", sizeBytes: 3_419_706 };
const debianBookwormSlimLayer: LayerDeclaration = { key: "debian-bookworm-slim-20250224-amd64", sizeBytes: 28_231_219 };

const nginxMaintainer = { maintainer: "NGINX Docker Maintainers <docker-maint@nginx.com>" };

/** Every build the simulated Docker Hub serves. */
const builds: readonly BuildDeclaration[] = [
  {
    repository: "library/alpine",
    tags: ["3.21.3", "3.21", "3", "latest"],
    layers: [alpine321Layer],
    config: { ...emptyConfig, Cmd: ["/bin/sh"], WorkingDir: "/" },
    created: "2025-02-14T03:28:36Z",
  },
  {
    repository: "library/alpine",
    tags: ["3.20.6", "3.20"],
    layers: [alpine320Layer],
    config: { ...emptyConfig, Cmd: ["/bin/sh"], WorkingDir: "/" },
    created: "2025-02-14T03:28:36Z",
  },
  {
    repository: "library/alpine",
    tags: ["3.19.7", "3.19"],
    layers: [alpine319Layer],
    config: { ...emptyConfig, Cmd: ["/bin/sh"], WorkingDir: "/" },
    created: "2025-02-14T03:28:36Z",
  },
  {
    repository: "library/busybox",
    tags: ["1.37.0", "1.37", "1", "latest"],
    layers: [{ key: "busybox-1.37.0-glibc-amd64", sizeBytes: 2_152_262 }],
    config: { ...emptyConfig, Cmd: ["sh"] },
    created: "2024-09-26T21:31:42Z",
  },
  {
    repository: "library/busybox",
    tags: ["1.36.1", "1.36"],
    layers: [{ key: "busybox-1.36.1-glibc-amd64", sizeBytes: 2_219_949 }],
    config: { ...emptyConfig, Cmd: ["sh"] },
    created: "2023-07-18T23:19:33Z",
  },
  {
    repository: "library/nginx",
    tags: ["1.27.4", "1.27", "1", "mainline", "latest"],
    layers: [
      debianBookwormSlimLayer,
      { key: "nginx-1.27.4-bookworm-packages", sizeBytes: 41_837_852 },
      { key: "nginx-1.27.4-bookworm-docker-entrypoint.sh", sizeBytes: 628 },
      { key: "nginx-1.27.4-bookworm-10-listen-on-ipv6-by-default.sh", sizeBytes: 956 },
      { key: "nginx-1.27.4-bookworm-15-local-resolvers.envsh", sizeBytes: 404 },
      { key: "nginx-1.27.4-bookworm-20-envsubst-on-templates.sh", sizeBytes: 1_210 },
      { key: "nginx-1.27.4-bookworm-30-tune-worker-processes.sh", sizeBytes: 1_401 },
    ],
    config: {
      ...emptyConfig,
      Cmd: ["nginx", "-g", "daemon off;"],
      Entrypoint: ["/docker-entrypoint.sh"],
      Env: [
        standardPath,
        "NGINX_VERSION=1.27.4",
        "NJS_VERSION=0.8.9",
        "NJS_RELEASE=1~bookworm",
        "PKG_RELEASE=1~bookworm",
        "DYNPKG_RELEASE=1~bookworm",
      ],
      ExposedPorts: { "80/tcp": {} },
      Labels: nginxMaintainer,
      StopSignal: "SIGQUIT",
    },
    created: "2025-02-05T21:27:16Z",
  },
  {
    repository: "library/nginx",
    tags: ["1.27.4-alpine", "1.27-alpine", "1-alpine", "mainline-alpine", "alpine"],
    layers: [
      alpine321Layer,
      { key: "nginx-1.27.4-alpine-slim-packages", sizeBytes: 1_795_346 },
      { key: "nginx-1.27.4-alpine-docker-entrypoint.sh", sizeBytes: 628 },
      { key: "nginx-1.27.4-alpine-10-listen-on-ipv6-by-default.sh", sizeBytes: 955 },
      { key: "nginx-1.27.4-alpine-15-local-resolvers.envsh", sizeBytes: 404 },
      { key: "nginx-1.27.4-alpine-20-envsubst-on-templates.sh", sizeBytes: 1_208 },
      { key: "nginx-1.27.4-alpine-30-tune-worker-processes.sh", sizeBytes: 1_398 },
      { key: "nginx-1.27.4-alpine-njs-modules", sizeBytes: 15_624_071 },
    ],
    config: {
      ...emptyConfig,
      Cmd: ["nginx", "-g", "daemon off;"],
      Entrypoint: ["/docker-entrypoint.sh"],
      Env: [standardPath, "NGINX_VERSION=1.27.4", "PKG_RELEASE=1", "DYNPKG_RELEASE=1", "NJS_VERSION=0.8.9", "NJS_RELEASE=1"],
      ExposedPorts: { "80/tcp": {} },
      Labels: nginxMaintainer,
      StopSignal: "SIGQUIT",
    },
    created: "2025-02-05T21:27:16Z",
  },
  {
    repository: "library/redis",
    tags: ["7.4.2", "7.4", "7", "bookworm", "latest"],
    layers: [
      debianBookwormSlimLayer,
      { key: "redis-7.4.2-bookworm-groupadd", sizeBytes: 1_108 },
      { key: "redis-7.4.2-bookworm-gosu-1.17", sizeBytes: 1_167_290 },
      { key: "redis-7.4.2-bookworm-build", sizeBytes: 15_994_816 },
      { key: "redis-7.4.2-bookworm-data", sizeBytes: 97 },
      { key: "redis-7.4.2-bookworm-docker-entrypoint.sh", sizeBytes: 574 },
    ],
    config: {
      ...emptyConfig,
      Cmd: ["redis-server"],
      Entrypoint: ["docker-entrypoint.sh"],
      Env: [
        standardPath,
        "GOSU_VERSION=1.17",
        "REDIS_VERSION=7.4.2",
        "REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-7.4.2.tar.gz",
        "REDIS_DOWNLOAD_SHA=4ddebbf09061cbb589011786febdb34f29767dd7f89dbe712d2b68e808af6a1f",
      ],
      ExposedPorts: { "6379/tcp": {} },
      WorkingDir: "/data",
      Labels: {},
      Volumes: { "/data": {} },
    },
    created: "2025-01-06T16:14:31Z",
  },
  {
    repository: "library/redis",
    tags: ["7.4.2-alpine", "7.4-alpine", "7-alpine", "alpine"],
    layers: [
      alpine321Layer,
      { key: "redis-7.4.2-alpine-addgroup", sizeBytes: 968 },
      { key: "redis-7.4.2-alpine-gosu-1.17", sizeBytes: 1_134_816 },
      { key: "redis-7.4.2-alpine-build", sizeBytes: 10_412_503 },
      { key: "redis-7.4.2-alpine-data", sizeBytes: 97 },
      { key: "redis-7.4.2-alpine-docker-entrypoint.sh", sizeBytes: 574 },
    ],
    config: {
      ...emptyConfig,
      Cmd: ["redis-server"],
      Entrypoint: ["docker-entrypoint.sh"],
      Env: [
        standardPath,
        "GOSU_VERSION=1.17",
        "REDIS_VERSION=7.4.2",
        "REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-7.4.2.tar.gz",
        "REDIS_DOWNLOAD_SHA=4ddebbf09061cbb589011786febdb34f29767dd7f89dbe712d2b68e808af6a1f",
      ],
      ExposedPorts: { "6379/tcp": {} },
      WorkingDir: "/data",
      Labels: {},
      Volumes: { "/data": {} },
    },
    created: "2025-01-06T16:14:31Z",
  },
  {
    // The Docker swarm tutorial's image (debian jessie, gosu 1.7, the old /entrypoint.sh).
    repository: "library/redis",
    tags: ["3.0.6"],
    layers: [
      { key: "debian-jessie-20151208-amd64", sizeBytes: 51_354_256 },
      { key: "redis-3.0.6-groupadd", sizeBytes: 2_043 },
      { key: "redis-3.0.6-ca-certificates-curl", sizeBytes: 6_514_206 },
      { key: "redis-3.0.6-gpg-key", sizeBytes: 109_374 },
      { key: "redis-3.0.6-gosu-1.7", sizeBytes: 807_942 },
      { key: "redis-3.0.6-build", sizeBytes: 4_183_190 },
      { key: "redis-3.0.6-data", sizeBytes: 98 },
      { key: "redis-3.0.6-entrypoint.sh", sizeBytes: 198 },
    ],
    config: {
      ...emptyConfig,
      Cmd: ["redis-server"],
      Entrypoint: ["/entrypoint.sh"],
      Env: [
        standardPath,
        "REDIS_VERSION=3.0.6",
        "REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-3.0.6.tar.gz",
        "REDIS_DOWNLOAD_SHA1=4b1c7b1201984bca8f7f9c6c58862f6928cf0a25",
      ],
      ExposedPorts: { "6379/tcp": {} },
      WorkingDir: "/data",
      Volumes: { "/data": {} },
    },
    created: "2016-01-08T06:40:43Z",
  },
  {
    repository: "progrium/stress",
    tags: ["latest"],
    layers: [
      { key: "ubuntu-trusty-20150320-amd64", sizeBytes: 65_791_424 },
      { key: "ubuntu-trusty-20150320-policy-rc.d", sizeBytes: 71_464 },
      { key: "ubuntu-trusty-20150320-sources", sizeBytes: 682 },
      { key: "progrium-stress-apt-get-install-stress", sizeBytes: 22_078_510 },
    ],
    config: { ...emptyConfig, Cmd: [], Entrypoint: ["/usr/bin/stress", "--verbose"], Env: [standardPath] },
    created: "2015-03-27T00:05:49Z",
  },
  {
    // swarmsim's own test image: logs a line, then exits with EXIT_CODE after CRASH_AFTER_SECONDS.
    repository: "swarmsim/crasher",
    tags: ["latest"],
    layers: [alpine321Layer, { key: "swarmsim-crasher-binary", sizeBytes: 1_204_224 }],
    config: {
      ...emptyConfig,
      Cmd: ["crasher"],
      Env: [standardPath, "CRASH_AFTER_SECONDS=5", "EXIT_CODE=1"],
      WorkingDir: "/",
      Labels: { "org.opencontainers.image.source": "https://github.com/swarmsim/crasher" },
    },
    created: "2025-01-01T00:00:00Z",
  },
];

/** A catalogue entry resolved once: digests computed, layers built. */
interface CatalogueEntry {
  readonly repository: string;
  readonly tags: readonly string[];
  readonly digest: string;
  readonly imageId: string;
  readonly layers: readonly ImageLayer[];
  readonly config: ImageConfig;
  readonly created: string;
}

function buildEntry(declaration: BuildDeclaration): CatalogueEntry {
  const buildName = `${declaration.repository}:${declaration.tags[0]}`;
  return {
    repository: declaration.repository,
    tags: declaration.tags,
    digest: stableDigest(`manifest/${buildName}`),
    imageId: stableDigest(`config/${buildName}`),
    layers: declaration.layers.map((layer) => ({ digest: stableDigest(`layer/${layer.key}`), sizeBytes: layer.sizeBytes })),
    config: declaration.config,
    created: declaration.created,
  };
}

const entries: readonly CatalogueEntry[] = builds.map(buildEntry);
const entriesByRepository = new Map<string, CatalogueEntry[]>();
for (const entry of entries) {
  const list = entriesByRepository.get(entry.repository) ?? [];
  list.push(entry);
  entriesByRepository.set(entry.repository, list);
}

function toManifest(entry: CatalogueEntry, tag: string): ImageManifest {
  return {
    repository: entry.repository,
    tag,
    digest: entry.digest,
    imageId: entry.imageId,
    layers: entry.layers,
    config: entry.config,
    architecture: "amd64",
    os: "linux",
    created: entry.created,
  };
}

/** Whether the registry has a repository of that path (`library/nginx`, `progrium/stress`). */
export function repositoryExists(repository: string): boolean {
  return entriesByRepository.has(repository);
}

/**
 * The manifest of `repository` at `tagOrDigest`: a tag (`1.27`) or a manifest digest
 * (`sha256:...`, as in `nginx@sha256:...`). Undefined when there is none. A manifest fetched by
 * digest reports its build's own version tag.
 */
export function lookupManifest(repository: string, tagOrDigest: string): ImageManifest | undefined {
  const candidates = entriesByRepository.get(repository);
  if (candidates === undefined) return undefined;
  for (const entry of candidates) {
    if (tagOrDigest.startsWith("sha256:")) {
      if (entry.digest === tagOrDigest) return toManifest(entry, entry.tags[0]!);
    } else if (entry.tags.includes(tagOrDigest)) {
      return toManifest(entry, tagOrDigest);
    }
  }
  return undefined;
}

/** The size of a layer blob the registry holds, or undefined when the digest is unknown. */
export function lookupBlobSizeBytes(repository: string, digest: string): number | undefined {
  for (const entry of entriesByRepository.get(repository) ?? []) {
    const layer = entry.layers.find((candidate) => candidate.digest === digest);
    if (layer !== undefined) return layer.sizeBytes;
  }
  return undefined;
}

/** Every repository and tag of the catalogue, in declaration order (for listings and tests). */
export function catalogueTags(): readonly { readonly repository: string; readonly tag: string }[] {
  return entries.flatMap((entry) => entry.tags.map((tag) => ({ repository: entry.repository, tag })));
}

/** The total compressed size of an image's layers, in bytes. */
export function manifestSizeBytes(manifest: ImageManifest): number {
  return manifest.layers.reduce((total, layer) => total + layer.sizeBytes, 0);
}

// ---------------------------------------------------------------- references

/** Docker Hub's domain in normalized names. */
export const defaultDomain = "docker.io";
/** The legacy Docker Hub domain, normalized to {@link defaultDomain}. */
const legacyDefaultDomain = "index.docker.io";
/** The namespace of official images. */
const officialRepositoryPrefix = "library/";
/** The tag used when a reference has neither tag nor digest. */
export const defaultTag = "latest";
/** Bound `repositoryNameLengthMax`: distribution/reference's `RepositoryNameTotalLengthMax`. */
const repositoryNameLengthMax = 255;

// distribution/reference regexp.go, translated to JavaScript (RE2 `[[:xdigit:]]` is [0-9A-Fa-f]).
const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const optionalPort = "(?::[0-9]+)?";
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
const ipv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const domainAndPort = `(?:${domainName}|${ipv6Address})${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;
const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
const digestFormatRegexp = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A parsed, normalized image reference (`nginx` -> docker.io / library/nginx, no tag). */
export interface ImageReference {
  /** The registry: `docker.io` for Docker Hub, else a host[:port] such as `localhost:5000`. */
  readonly domain: string;
  /** The repository path on that registry, e.g. `library/nginx`. */
  readonly path: string;
  /** The tag given, or null (see {@link withDefaultTag}). */
  readonly tag: string | null;
  /** The digest given (`sha256:...`), or null. */
  readonly digest: string | null;
}

/**
 * An invalid image reference, with Docker's text: `invalid reference format`,
 * `invalid reference format: repository name must be lowercase`, ...
 */
export class InvalidReferenceError extends Error {
  override name = "InvalidReferenceError";
  constructor(
    message: string,
    /** For the lowercase error: the remote name at fault (`library/Nginx`), for the newer wording. */
    readonly remoteName: string | null = null,
  ) {
    super(message);
  }
}

/** The lowercase error as Docker 20.10 (docker/distribution v2.7/v2.8.1) words it. */
export const lowercaseErrorMessage = "invalid reference format: repository name must be lowercase";

/**
 * The lowercase error as Docker 25+ words it (distribution/reference v0.5+, which the docker
 * 28 CLI vendors): `invalid reference format: repository name (library/Nginx) must be lowercase`.
 */
export function currentLowercaseErrorMessage(remote: string): string {
  return `invalid reference format: repository name (${remote}) must be lowercase`;
}

/** go-digest `Digest.Validate` for the algorithms Docker knows (sha256/384/512, lowercase hex). */
function digestError(digest: string): string | null {
  const colon = digest.indexOf(":");
  if (colon <= 0 || colon + 1 === digest.length) return "invalid checksum digest format";
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const hexLength = { sha256: 64, sha384: 96, sha512: 128 }[algorithm];
  if (hexLength === undefined) return digestFormatRegexp.test(digest) ? "unsupported digest algorithm" : "invalid checksum digest format";
  if (encoded.length !== hexLength) return "invalid checksum digest length";
  return /^[a-f0-9]+$/.test(encoded) ? null : "invalid checksum digest format";
}

/** distribution/reference `splitDockerDomain`. */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf("/");
  if (slash === -1) return [defaultDomain, officialRepositoryPrefix + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === legacyDefaultDomain) {
    [domain, remote] = [defaultDomain, maybeRemote];
  } else if (maybeDomain === "localhost" || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remote] = [maybeDomain, maybeRemote];
  } else {
    [domain, remote] = [defaultDomain, name];
  }
  if (domain === defaultDomain && !remote.includes("/")) remote = officialRepositoryPrefix + remote;
  return [domain, remote];
}

/**
 * Parses an image reference the way Docker does (`ParseNormalizedNamed`): `nginx` ->
 * docker.io/library/nginx, `redis:3.0.6`, `user/repo:tag`, `nginx@sha256:...`,
 * `localhost:5000/x`. Throws {@link InvalidReferenceError} with Docker's text.
 */
export function parseReference(text: string): ImageReference {
  let reference = parsedReferences.get(text);
  if (reference === undefined) {
    reference = Object.freeze(parseReferenceText(text));
    // A pure function of the text (only valid ones are kept; an invalid one throws each time):
    // the same few images are parsed for every container and service. Forgotten wholesale at the bound.
    if (parsedReferences.size >= parsedReferencesMax) parsedReferences.clear();
    parsedReferences.set(text, reference);
  }
  return reference;
}

/** Bound `parsedReferencesMax`: image references {@link parseReference} remembers. */
const parsedReferencesMax = 1_024;
const parsedReferences = new Map<string, ImageReference>();

function parseReferenceText(text: string): ImageReference {
  if (anchoredIdentifierRegexp.test(text)) {
    throw new InvalidReferenceError(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(text);
  const tagSeparator = remainder.indexOf(":");
  const remote = tagSeparator > -1 ? remainder.slice(0, tagSeparator) : remainder;
  if (remote.toLowerCase() !== remote) throw new InvalidReferenceError(lowercaseErrorMessage, remote);
  const full = `${domain}/${remainder}`;
  const match = referenceRegexp.exec(full);
  if (match === null) {
    if (referenceRegexp.test(full.toLowerCase())) throw new InvalidReferenceError("repository name must be lowercase");
    throw new InvalidReferenceError("invalid reference format");
  }
  const nameMatch = anchoredNameRegexp.exec(match[1]!)!;
  const path = nameMatch[2]!;
  if (path.length > repositoryNameLengthMax) {
    throw new InvalidReferenceError(`repository name must not be more than ${repositoryNameLengthMax} characters`);
  }
  const digest = match[3] ?? null;
  if (digest !== null) {
    const error = digestError(digest);
    if (error !== null) throw new InvalidReferenceError(error);
  }
  return { domain: nameMatch[1] ?? domain, path, tag: match[2] ?? null, digest };
}

/** `TagNameOnly`: the reference with tag `latest` when it has neither tag nor digest. */
export function withDefaultTag(reference: ImageReference): ImageReference {
  return reference.tag === null && reference.digest === null ? { ...reference, tag: defaultTag } : reference;
}

/** `FamiliarName`: `nginx`, `user/repo`, `localhost:5000/x`. */
export function familiarName(reference: ImageReference): string {
  if (reference.domain !== defaultDomain) return `${reference.domain}/${reference.path}`;
  const rest = reference.path.startsWith(officialRepositoryPrefix) ? reference.path.slice(officialRepositoryPrefix.length) : null;
  return rest !== null && !rest.includes("/") ? rest : reference.path;
}

/** `FamiliarString`: `nginx:1.27`, `nginx@sha256:...`, `nginx:1.27@sha256:...`. */
export function familiarString(reference: ImageReference): string {
  return familiarName(reference) + (reference.tag === null ? "" : `:${reference.tag}`) + (reference.digest === null ? "" : `@${reference.digest}`);
}

/**
 * moby's `imageWithTagString`: `text` in its familiar form with tag `latest` when it has neither
 * tag nor digest (`nosuch` → `nosuch:latest`); unchanged when it is not a reference (an id, say).
 */
export function familiarWithDefaultTag(text: string): string {
  try {
    return familiarString(withDefaultTag(parseReference(text)));
  } catch (error) {
    if (error instanceof InvalidReferenceError) return text;
    throw error;
  }
}

/** The fully qualified form: `docker.io/library/nginx:latest`. */
export function canonicalString(reference: ImageReference): string {
  return `${reference.domain}/${reference.path}` + (reference.tag === null ? "" : `:${reference.tag}`) + (reference.digest === null ? "" : `@${reference.digest}`);
}

/**
 * The manifest a reference names on the simulated Docker Hub (a digest wins over a tag; no tag
 * means `latest`). Undefined for another registry (`localhost:5000/x`) or an unknown image.
 */
export function lookupReference(reference: ImageReference): ImageManifest | undefined {
  if (reference.domain !== defaultDomain) return undefined;
  return lookupManifest(reference.path, reference.digest ?? reference.tag ?? defaultTag);
}
