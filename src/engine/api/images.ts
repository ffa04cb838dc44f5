/**
 * The Engine API's image routes: pull (`POST /images/create`) from the simulated registry
 * over the simulated network, layer by layer, answering with Docker's JSON progress messages;
 * list, inspect and remove, with Docker's conflict rules.
 */
import { call, RpcError, type Coroutine } from "../../sim/coroutine.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { recordKeys, type ImageRecord } from "../dockerd/records.js";
import { InvalidReferenceError, canonicalString, familiarName, familiarString, familiarWithDefaultTag, parseReference, withDefaultTag, type ImageReference } from "../images/catalogue.js";
import { registryHostName, registryProcessName, type ImageManifest, type RegistryMethods } from "../registry-api.js";
import { ApiError, badRequest, conflict, notFound } from "./http.js";
import { findImage, parseFilters } from "./lookup.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";
import { overlayCacheId, overlayGraphDriverData } from "./container-shapes.js";

/** How long dockerd waits for the registry to answer one request, ms (Docker's HTTP client timeout). */
export const registryTimeoutMs = 30_000;

/** One JSON progress message of a pull stream. */
export interface ProgressMessage {
  readonly status: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly progress?: string;
}

function* registryCall<M extends keyof RegistryMethods>(method: M, params: RegistryMethods[M]["params"]): Coroutine<RegistryMethods[M]["result"]> {
  try {
    return (yield* call(registryHostName, registryProcessName, method, params, registryTimeoutMs)) as RegistryMethods[M]["result"];
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    if (error.code === "NotFound") throw notFound(error.message);
    throw new ApiError(500, `Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`);
  }
}

function layerId(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** A progress bar as Docker draws it in `progress` (50 characters wide). */
function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = Math.floor((current / total) * width);
  const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - Math.max(filled, 0));
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1)}MB`;
  return `[${bar.slice(0, width)}]  ${megabytes(current)}/${megabytes(total)}`;
}

/** Bound `layerProgressBarsMax`: layer sizes whose progress bars {@link layerProgressBars} remembers. */
const layerProgressBarsMax = 1_024;
const layerProgressBarsBySize = new Map<number, { readonly half: string; readonly whole: string }>();

/**
 * The two progress bars a pull draws for a layer of `sizeBytes` (downloading, at half; extracting,
 * whole). A pure function of the size, remembered: every node pulls the same few layers, and
 * nothing but a `docker pull` reads the bars. Forgotten wholesale at the bound.
 */
function layerProgressBars(sizeBytes: number): { readonly half: string; readonly whole: string } {
  let bars = layerProgressBarsBySize.get(sizeBytes);
  if (bars === undefined) {
    if (layerProgressBarsBySize.size >= layerProgressBarsMax) layerProgressBarsBySize.clear();
    bars = { half: progressBar(Math.floor(sizeBytes / 2), sizeBytes), whole: progressBar(sizeBytes, sizeBytes) };
    layerProgressBarsBySize.set(sizeBytes, bars);
  }
  return bars;
}

function storeImage(daemon: Dockerd, manifest: ImageManifest, reference: ImageReference): ImageRecord {
  const tagName = reference.tag === null ? null : `${familiarName(reference)}:${reference.tag}`;
  const digestName = `${familiarName(reference)}@${manifest.digest}`;
  // A tag moves to the newly pulled image.
  for (const other of [...daemon.images.values()]) {
    if (tagName !== null && other.id !== manifest.imageId && other.repoTags.includes(tagName)) saveImage(daemon, { ...other, repoTags: other.repoTags.filter((tag) => tag !== tagName) });
  }
  const existing = daemon.images.get(manifest.imageId);
  const repoTags = [...new Set([...(existing?.repoTags ?? []), ...(tagName === null ? [] : [tagName])])];
  const repoDigests = [...new Set([...(existing?.repoDigests ?? []), digestName])];
  const record: ImageRecord = {
    id: manifest.imageId,
    repoTags,
    repoDigests,
    created: manifest.created,
    sizeBytes: manifest.layers.reduce((total, layer) => total + layer.sizeBytes, 0),
    layers: manifest.layers,
    config: manifest.config,
    architecture: manifest.architecture,
    os: manifest.os,
  };
  saveImage(daemon, record);
  return record;
}

function saveImage(daemon: Dockerd, record: ImageRecord): void {
  daemon.images.set(record.id, record);
  daemon.context.disk.write(recordKeys.image(record.id), record);
}

/**
 * An image reference to fetch from the simulated Docker Hub (tag `latest` when none): 400 for a
 * malformed one, and the DNS error Docker gives for another registry (none is simulated).
 */
function registryReference(text: string): ImageReference {
  let reference: ImageReference;
  try {
    reference = withDefaultTag(parseReference(text));
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw badRequest(error.message);
    throw error;
  }
  if (reference.domain !== "docker.io") {
    throw new ApiError(500, `Get "https://${reference.domain}/v2/": dial tcp: lookup ${reference.domain.split(":")[0]}: no such host`);
  }
  return reference;
}

/** Pulls an image from the registry; returns the progress messages a client would stream. */
export function* pullImage(daemon: Dockerd, text: string): Coroutine<ProgressMessage[]> {
  const reference = registryReference(text);
  const { manifest } = yield* registryCall("manifest", { repository: reference.path, tag: reference.digest ?? reference.tag! });
  const messages: ProgressMessage[] = [{ status: `Pulling from ${reference.path}`, id: reference.digest ?? reference.tag! }];
  const name = familiarString(reference);
  const existing = daemon.images.get(manifest.imageId);
  if (existing !== undefined && (reference.tag === null || existing.repoTags.includes(name))) {
    messages.push({ status: `Digest: ${manifest.digest}` }, { status: `Status: Image is up to date for ${name}` });
    return messages;
  }
  const present = new Set([...daemon.images.values()].flatMap((image) => image.layers.map((layer) => layer.digest)));
  const missing = manifest.layers.filter((layer) => !present.has(layer.digest));
  for (const layer of manifest.layers) {
    messages.push(present.has(layer.digest) ? { status: "Already exists", progressDetail: {}, id: layerId(layer.digest) } : { status: "Pulling fs layer", progressDetail: {}, id: layerId(layer.digest) });
  }
  for (const layer of missing) {
    const id = layerId(layer.digest);
    const half = Math.floor(layer.sizeBytes / 2);
    messages.push({ status: "Downloading", progressDetail: { current: half, total: layer.sizeBytes }, progress: layerProgressBars(layer.sizeBytes).half, id });
    yield* registryCall("blob", { repository: reference.path, digest: layer.digest });
    daemon.context.disk.write(recordKeys.layer(layer.digest), layer);
    messages.push({ status: "Verifying Checksum", progressDetail: {}, id }, { status: "Download complete", progressDetail: {}, id });
  }
  for (const layer of missing) {
    const id = layerId(layer.digest);
    messages.push(
      { status: "Extracting", progressDetail: { current: layer.sizeBytes, total: layer.sizeBytes }, progress: layerProgressBars(layer.sizeBytes).whole, id },
      { status: "Pull complete", progressDetail: {}, id },
    );
  }
  const record = storeImage(daemon, manifest, reference);
  messages.push({ status: `Digest: ${manifest.digest}` }, { status: `Status: Downloaded newer image for ${name}` });
  daemon.events.record({ status: "pull", id: name, Type: "image", Action: "pull", Actor: { ID: name, Attributes: { name: familiarName(reference) } }, scope: "local" }, daemon.wallTimeMs);
  daemon.context.emit("engine.image.pull", { host: daemon.hostName, reference: canonicalString(reference), id: record.id });
  return messages;
}

function* createImage(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const fromImage = request.query.fromImage;
  if (fromImage === undefined || fromImage === "") throw badRequest("fromImage is required (import from a source is not supported)");
  const tag = request.query.tag;
  const text = tag === undefined || tag === "" ? fromImage : tag.startsWith("sha256:") ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
  const messages = yield* pullImage(daemon, text);
  return { statusCode: 200, body: messages, headers: { "Content-Type": "application/json" } };
}

function usersOf(daemon: Dockerd, image: ImageRecord): string[] {
  return [...daemon.containers.values()].filter((record) => record.imageId === image.id).map((record) => record.id);
}

function imageSummary(daemon: Dockerd, image: ImageRecord): Record<string, unknown> {
  return {
    Containers: -1,
    Created: Math.floor(Date.parse(image.created) / 1000),
    Id: image.id,
    Labels: image.config.Labels,
    ParentId: "",
    RepoDigests: image.repoDigests,
    RepoTags: image.repoTags,
    SharedSize: -1,
    Size: image.sizeBytes,
  };
  void daemon;
}

function* listImages(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const filters = parseFilters(request.query.filters);
  const images = [...daemon.images.values()]
    .filter((image) => (filters.reference ?? [""]).some((value) => value === "" || image.repoTags.some((tag) => tag === value || tag.split(":")[0] === value)))
    .filter((image) => (filters.dangling === undefined ? true : filters.dangling.includes(String(image.repoTags.length === 0))))
    .sort((left, right) => Date.parse(right.created) - Date.parse(left.created) || (left.id < right.id ? -1 : 1));
  return { statusCode: 200, body: images.map((image) => imageSummary(daemon, image)) };
}


function findImageOr404(daemon: Dockerd, name: string): ImageRecord {
  const image = findImage(daemon, name);
  if (image === undefined) throw notFound(`No such image: ${familiarWithDefaultTag(name)}`);
  return image;
}

function* inspectImage(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const image = findImageOr404(daemon, request.params.name!);
  return {
    statusCode: 200,
    body: {
      Id: image.id,
      RepoTags: image.repoTags,
      RepoDigests: image.repoDigests,
      Comment: "buildkit.dockerfile.v0",
      Created: image.created,
      Author: "",
      Config: image.config,
      Architecture: image.architecture,
      Os: image.os,
      Size: image.sizeBytes,
      GraphDriver: {
        Data: overlayGraphDriverData([...image.layers].reverse().map((layer) => overlayCacheId("image-layer", layer.digest))),
        Name: "overlay2",
      },
      RootFS: { Type: "layers", Layers: image.layers.map((layer) => layer.digest) },
      Metadata: { LastTagTime: "0001-01-01T00:00:00Z" },
    },
  };
}

function* removeImage(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const name = request.params.name!;
  const image = findImageOr404(daemon, name);
  const force = request.query.force === "1" || request.query.force === "true";
  const users = usersOf(daemon, image);
  if (users.length > 0 && !force) {
    const running = [...daemon.containers.values()].find((record) => record.imageId === image.id && record.state.running);
    const user = (running ?? daemon.containers.get(users[0]!))!;
    throw conflict(`conflict: unable to remove repository reference "${name}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${image.id.slice(7, 19)}`);
  }
  const deleted: Record<string, string>[] = [...image.repoTags.map((tag) => ({ Untagged: tag })), ...image.repoDigests.map((digest) => ({ Untagged: digest }))];
  if (users.length === 0) {
    deleted.push({ Deleted: image.id });
    daemon.images.delete(image.id);
    daemon.context.disk.delete(recordKeys.image(image.id));
    const stillUsed = new Set([...daemon.images.values()].flatMap((other) => other.layers.map((layer) => layer.digest)));
    for (const layer of image.layers) {
      if (stillUsed.has(layer.digest)) continue;
      daemon.context.disk.delete(recordKeys.layer(layer.digest));
      deleted.push({ Deleted: layer.digest });
    }
  } else {
    saveImage(daemon, { ...image, repoTags: [], repoDigests: [] });
  }
  return { statusCode: 200, body: deleted };
}

/** The media types of a Docker image manifest (schema 2) and its parts. */
const manifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
const configMediaType = "application/vnd.docker.container.image.v1+json";
const layerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** The size of the manifest document the registry serves for `manifest`, in bytes (its canonical JSON). */
function manifestSizeBytes(manifest: ImageManifest): number {
  const document = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: configMediaType, size: JSON.stringify(manifest.config).length, digest: manifest.imageId },
    layers: manifest.layers.map((layer) => ({ mediaType: layerMediaType, size: layer.sizeBytes, digest: layer.digest })),
  };
  return JSON.stringify(document, null, 3).length;
}

/**
 * `GET /distribution/{name}/json`: the manifest's descriptor and platforms, asked of the registry
 * (what the docker client uses to pin a service's image to a digest).
 */
function* inspectDistribution(_daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const reference = registryReference(request.params.name!);
  const { manifest } = yield* registryCall("manifest", { repository: reference.path, tag: reference.digest ?? reference.tag! });
  return {
    statusCode: 200,
    body: {
      Descriptor: { mediaType: manifestMediaType, digest: manifest.digest, size: manifestSizeBytes(manifest) },
      Platforms: [{ architecture: manifest.architecture, os: manifest.os }],
    },
  };
}

/** The image routes. */
export const imageRoutes: readonly Route<Dockerd>[] = [
  { method: "GET", pattern: "/distribution/{name*}/json", handler: inspectDistribution },
  { method: "POST", pattern: "/images/create", handler: createImage },
  { method: "GET", pattern: "/images/json", handler: listImages },
  { method: "GET", pattern: "/images/{name*}/json", handler: inspectImage },
  { method: "DELETE", pattern: "/images/{name*}", handler: removeImage },
];
