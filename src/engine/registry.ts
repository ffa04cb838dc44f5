/**
 * The simulated Docker Hub: a process serving `manifest` and `blob` requests (see
 * registry-api.ts) from the image catalogue. A manifest answers after a fixed round trip; a
 * blob answers after its size divided by the registry's bandwidth, so pulls take virtual time
 * and a partition during a pull cuts it. Errors carry Docker Hub's wording as dockerd shows it.
 */
import { RpcError, RpcProcess, sleep, type Coroutine, type RpcHandlers } from "../sim/coroutine.js";
import type { ProcessBehaviour } from "../sim/process.js";
import { defaultDomain, familiarName, familiarString, lookupBlobSizeBytes, lookupManifest, repositoryExists } from "./images/catalogue.js";
import type { ImageManifest, RegistryMethods } from "./registry-api.js";

/**
 * Bandwidth of one blob download: 50 MB/s (decimal), a good home or office link to Docker
 * Hub's CDN. Each download gets it whole (downloads do not share it), so nginx's ~70 MB over
 * 7 layers, fetched 3 at a time as dockerd does, takes about a second.
 */
export const registryBandwidthBytesPerSecond = 50_000_000;

/**
 * Time the registry takes to answer a manifest request: 100 ms, standing for the token
 * request, the HEAD and the GET a real pull makes before the first layer starts.
 */
export const registryManifestDelayMs = 100;

/** Milliseconds per second, to turn the bandwidth into a delay. */
const millisecondsPerSecond = 1000;

/** How long the blob answer for `sizeBytes` takes at {@link registryBandwidthBytesPerSecond}. */
export function blobTransferMs(sizeBytes: number): number {
  return (sizeBytes / registryBandwidthBytesPerSecond) * millisecondsPerSecond;
}

/**
 * Docker Hub's answer to a repository that does not exist (or is private), as dockerd words it:
 * `pull access denied for doesnotexist/nope, repository does not exist or may require
 * 'docker login': denied: requested access to the resource is denied`.
 */
export function pullAccessDeniedMessage(repository: string): string {
  const name = familiarName({ domain: defaultDomain, path: repository, tag: null, digest: null });
  return `pull access denied for ${name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
}

/**
 * The answer to a tag or digest missing from an existing repository, as dockerd words it:
 * `manifest for nginx:nosuchtag not found: manifest unknown: manifest unknown`.
 */
export function manifestUnknownMessage(repository: string, tagOrDigest: string): string {
  const isDigest = tagOrDigest.startsWith("sha256:");
  const reference = { domain: defaultDomain, path: repository, tag: isDigest ? null : tagOrDigest, digest: isDigest ? tagOrDigest : null };
  return `manifest for ${familiarString(reference)} not found: manifest unknown: manifest unknown`;
}

/** The registry's answer to an unknown blob (distribution's BLOB_UNKNOWN error). */
export function blobUnknownMessage(): string {
  return "blob unknown: blob unknown to registry";
}

type ManifestParams = RegistryMethods["manifest"]["params"];
type ManifestResult = RegistryMethods["manifest"]["result"];
type BlobParams = RegistryMethods["blob"]["params"];
type BlobResult = RegistryMethods["blob"]["result"];

/** The registry process: serves manifests and blobs from the catalogue. */
class RegistryProcess extends RpcProcess {
  protected handlers(): RpcHandlers {
    return {
      manifest: (params: ManifestParams) => this.manifest(params),
      blob: (params: BlobParams) => this.blob(params),
    };
  }

  private *manifest(params: ManifestParams): Coroutine<ManifestResult> {
    yield* sleep(registryManifestDelayMs);
    const repository = String(params?.repository ?? "");
    const tag = String(params?.tag ?? "");
    if (!repositoryExists(repository)) throw new RpcError("NotFound", pullAccessDeniedMessage(repository));
    const manifest: ImageManifest | undefined = lookupManifest(repository, tag);
    if (manifest === undefined) throw new RpcError("NotFound", manifestUnknownMessage(repository, tag));
    return { manifest };
  }

  private *blob(params: BlobParams): Coroutine<BlobResult> {
    const repository = String(params?.repository ?? "");
    const digest = String(params?.digest ?? "");
    if (!repositoryExists(repository)) throw new RpcError("NotFound", pullAccessDeniedMessage(repository));
    const sizeBytes = lookupBlobSizeBytes(repository, digest);
    if (sizeBytes === undefined) throw new RpcError("NotFound", blobUnknownMessage());
    yield* sleep(blobTransferMs(sizeBytes));
    return { digest, sizeBytes };
  }
}

/**
 * A fresh registry behaviour, for `sim.spawn(registryHostName, registryProcessName,
 * registryProcess, { startOnBoot: true })` on a host at `registryAddress` (registry-api.ts).
 */
export function registryProcess(): ProcessBehaviour {
  return new RegistryProcess();
}
