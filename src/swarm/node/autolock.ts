/**
 * Swarm autolock, as swarmkit and moby do it. With `AutoLockManagers` the cluster object holds a
 * manager unlock key (swarmkit's `cluster.UnlockKeys`, 32 random bytes shown as
 * `SWMKEY-1-<unpadded base64>`), and every manager keeps its TLS key on disk encrypted with the
 * key it last saw (swarmkit's key-encryption key, re-written when the cluster's key changes).
 * A manager whose dockerd starts with such an encrypted key comes up locked: no Raft member, no
 * agent, until `docker swarm unlock` gives that key. Workers are never locked.
 *
 * swarmsim keeps the key itself on disk in place of an encrypted TLS key: the file is there
 * exactly when the key would be encrypted, and holds the key that would decrypt it.
 */
import type { Disk } from "../../host/disk.js";
import type { Cluster } from "../types.js";
import { readLocalState } from "./local-state.js";

/** swarmkit's `humanReadablePrefix` of unlock keys. */
export const unlockKeyPrefix = "SWMKEY-1-";
/** Where a manager keeps the key its TLS key is encrypted with (moby: the node key under `swarm/certificates`). */
export const lockKeyPath = "/var/lib/docker/swarm/certificates/swarm-node.key";
/** moby's `errSwarmLocked`: every swarm request to a locked manager. */
export const swarmLockedMessage = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.';
/** moby's `invalidUnlockKey` (401): a well-formed key that does not decrypt this manager's TLS key. */
export const invalidUnlockKeyMessage = "swarm could not be unlocked: invalid key provided";
/** moby's `notLockedError` (409): `POST /swarm/unlock` on an active manager. */
export const notLockedMessage = "swarm is not locked";
/** swarmkit's `ParseHumanReadableKey` error (400): not `SWMKEY-1-` and unpadded base64. */
export const invalidKeyStringMessage = "invalid key string";
/** moby's Leave on a locked node without `--force`. */
export const lockedLeaveMessage = "Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.";
/** Bytes of a key (swarmkit's `GenerateSecretKey`). */
export const unlockKeyBytes = 32;

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Go's `base64.RawStdEncoding.EncodeToString`. */
function encodeRawBase64(bytes: readonly number[]): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    const characters = Math.min(4, Math.ceil(((bytes.length - index) * 8) / 6));
    for (let position = 0; position < characters; position++) text += base64Alphabet[(chunk >> (18 - 6 * position)) & 63];
  }
  return text;
}

/** Go's `base64.RawStdEncoding.DecodeString` (which ignores newlines), or null when it fails. */
function decodeRawBase64(text: string): number[] | null {
  const characters = text.replace(/[\r\n]/g, "");
  if (characters.length % 4 === 1) return null;
  const bytes: number[] = [];
  for (let index = 0; index < characters.length; index += 4) {
    const group = characters.slice(index, index + 4);
    let chunk = 0;
    for (let position = 0; position < 4; position++) {
      const value = position < group.length ? base64Alphabet.indexOf(group[position]!) : 0;
      if (value < 0) return null;
      chunk = (chunk << 6) | value;
    }
    const count = group.length - 1;
    for (let position = 0; position < count; position++) bytes.push((chunk >> (16 - 8 * position)) & 255);
  }
  return bytes;
}

/** A new unlock key: 32 bytes from `random`, as swarmkit shows them (`SWMKEY-1-` and 43 base64 characters). */
export function newUnlockKey(random: { next(): number }): string {
  const bytes: number[] = [];
  for (let index = 0; index < unlockKeyBytes; index++) bytes.push(Math.floor(random.next() * 256));
  return unlockKeyPrefix + encodeRawBase64(bytes);
}

/** The bytes of a key as swarmkit's `ParseHumanReadableKey` reads them, or null (moby: "invalid key string"). */
export function parseUnlockKey(text: string): readonly number[] | null {
  if (!text.startsWith(unlockKeyPrefix)) return null;
  return decodeRawBase64(text.slice(unlockKeyPrefix.length));
}

/** Whether `given` decrypts what `expected` encrypted: the same bytes (Go decodes leniently). */
export function sameUnlockKey(given: string, expected: string): boolean {
  const left = parseUnlockKey(given);
  const right = parseUnlockKey(expected);
  return left !== null && right !== null && left.length === right.length && left.every((byte, index) => byte === right[index]);
}

/** The key this node's manager TLS key is encrypted with, or null when it is not. */
export function readLockKey(disk: Disk): string | null {
  return disk.read<{ readonly kek: string }>(lockKeyPath)?.kek ?? null;
}

/**
 * Re-encrypts this manager's TLS key with the cluster's current unlock key, or decrypts it when
 * autolock is off (swarmkit's manager watching the cluster object); writes only on a change.
 */
export function syncLockKey(disk: Disk, cluster: Cluster | null): void {
  if (cluster === null) return;
  const wanted = cluster.managerUnlockKey ?? null;
  if (readLockKey(disk) === wanted) return;
  if (wanted === null) disk.delete(lockKeyPath);
  else disk.write(lockKeyPath, { kek: wanted });
}

/** Whether dockerd starting now finds a locked manager: a manager whose TLS key is encrypted. */
export function startsLocked(disk: Disk): boolean {
  return readLocalState(disk)?.role === "manager" && readLockKey(disk) !== null;
}
