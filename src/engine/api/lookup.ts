/**
 * Lookups shared by the Engine API routes: images by reference, id or id prefix, and the
 * Engine API's JSON `filters` query parameter.
 */
import type { Dockerd } from "../dockerd/daemon.js";
import type { ImageRecord } from "../dockerd/records.js";
import { familiarString, parseReference, withDefaultTag } from "../images/catalogue.js";
import { badRequest } from "./http.js";

/**
 * The familiar name Docker lists a reference under: `nginx` -> `nginx:latest`,
 * `docker.io/library/nginx:1.27` -> `nginx:1.27`, `user/app` -> `user/app:latest`; the text
 * itself when it is not a valid reference (it can still be an image id).
 */
export function familiarReference(reference: string): string {
  try {
    return familiarString(withDefaultTag(parseReference(reference)));
  } catch {
    return reference;
  }
}

/** `nginx@sha256:...` for a reference naming a digest (with or without a tag), else null. */
function digestedReference(reference: string): string | null {
  try {
    const parsed = parseReference(reference);
    return parsed.digest === null ? null : familiarString({ ...parsed, tag: null });
  } catch {
    return null;
  }
}

/** Finds a local image by reference (`nginx`, `nginx:1.27`, `nginx:1.27@sha256:...`), by `sha256:` id, or by unique id prefix. */
export function findImage(daemon: Dockerd, reference: string): ImageRecord | undefined {
  const familiar = familiarReference(reference);
  // `name:tag@digest`: the digest decides, as in moby's reference store (the tag is ignored).
  const byDigest = digestedReference(reference);
  for (const image of daemon.images.values()) {
    if (image.repoTags.includes(familiar) || image.repoDigests.includes(familiar)) return image;
    if (byDigest !== null && image.repoDigests.includes(byDigest)) return image;
  }
  const hex = reference.replace(/^sha256:/, "");
  if (!/^[0-9a-f]{4,64}$/.test(hex)) return undefined;
  const matches = [...daemon.images.values()].filter((image) => image.id.slice(7).startsWith(hex));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Parses the `filters` query parameter (`{"status":["running"]}` or the legacy `{"status":{"running":true}}`). */
export function parseFilters(text: string | undefined): Record<string, string[]> {
  if (text === undefined || text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`invalid filter: ${text}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest(`invalid filter: ${text}`);
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) filters[key] = value.map(String);
    else if (typeof value === "object" && value !== null) filters[key] = Object.keys(value).filter((item) => (value as Record<string, unknown>)[item] === true);
    else throw badRequest(`invalid filter: ${text}`);
  }
  return filters;
}
