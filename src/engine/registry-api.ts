/**
 * The image registry's API as dockerd uses it to pull (the simulated Docker Hub). The
 * registry is a host on the simulated network; a blob's answer takes time in proportion to its
 * size, so pulls take time and can be cut by partitions.
 */

/** The registry's host name and process name. */
export const registryHostName = "registry";
export const registryProcessName = "registry";
/** Its address: outside the 10.0.0.0/8 range hosts get automatically (TEST-NET-2). */
export const registryAddress = "198.51.100.1";

/** One layer of an image. */
export interface ImageLayer {
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  readonly sizeBytes: number;
}

/** The image configuration (the `Config` object of `docker image inspect`, fields as in the Engine API). */
export interface ImageConfig {
  readonly Cmd: readonly string[] | null;
  readonly Entrypoint: readonly string[] | null;
  readonly Env: readonly string[];
  readonly ExposedPorts: Readonly<Record<string, Record<string, never>>> | null;
  readonly WorkingDir: string;
  readonly Labels: Readonly<Record<string, string>> | null;
  readonly StopSignal: string | null;
  readonly User: string;
  readonly Volumes: Readonly<Record<string, Record<string, never>>> | null;
}

/** What a manifest request answers: everything needed to pull and then run the image. */
export interface ImageManifest {
  /** `library/nginx` style repository path on the registry. */
  readonly repository: string;
  readonly tag: string;
  /** The manifest digest, `sha256:<64 hex>` (RepoDigests). */
  readonly digest: string;
  /** The image id, `sha256:<64 hex>` (the config digest). */
  readonly imageId: string;
  readonly layers: readonly ImageLayer[];
  readonly config: ImageConfig;
  readonly architecture: string;
  readonly os: string;
  /** When the image was built, RFC 3339 (the image's own date, not the simulation's). */
  readonly created: string;
}

/** The registry's methods. Errors: RpcError NotFound with Docker Hub's wording. */
export interface RegistryMethods {
  /** Resolves a repository and tag; NotFound with "manifest unknown" or access denied wording. */
  manifest: { params: { repository: string; tag: string }; result: { manifest: ImageManifest } };
  /** Downloads one layer; answers after sizeBytes / bandwidth. */
  blob: { params: { repository: string; digest: string }; result: { digest: string; sizeBytes: number } };
}
