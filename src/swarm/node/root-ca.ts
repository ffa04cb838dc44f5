/**
 * The swarm's root CA as nodes report it (`Description.TLSInfo` of `GET /nodes`, `TLSInfo` of
 * `GET /swarm`, the "TLS Info" of `docker node inspect --pretty`): the CA certificate in PEM, its
 * subject and its public key, each base64 DER as swarmkit's `NodeTLSInfo` holds them.
 *
 * swarmkit's CA is an ECDSA P-256 key with a self-signed certificate for `CN=swarm-ca`, valid
 * from a few minutes before the swarm was made for 20 years. The simulated one has the same DER
 * layout (version 3, a 20-byte serial, ecdsa-with-SHA256, key usage cert-sign and CRL-sign, CA
 * basic constraints, a subject key identifier), so tools that read certificates parse it; its key
 * and signature are bytes drawn from the cluster's root CA digest, not real elliptic-curve
 * values, so the signature does not verify.
 */
import { formatTime } from "../../sim/calendar.js";
import { StableHash } from "../../sim/hash.js";

/** What a node reports of the CA that issued its certificate (swarmkit's `NodeTLSInfo`). */
export interface RootCaTlsInfo {
  /** The CA certificate, PEM. */
  readonly TrustRoot: string;
  /** The issuer's subject, base64 DER (`CN=swarm-ca`). */
  readonly CertIssuerSubject: string;
  /** The issuer's public key, base64 DER SubjectPublicKeyInfo. */
  readonly CertIssuerPublicKey: string;
}

/** How long before the swarm's creation the CA certificate becomes valid, ms (cfssl's backdating). */
export const rootCaBackdateMs = 5 * 60_000;
/** How long swarmkit's root CA certificate is valid, ms (20 years of 365 days). */
export const rootCaValidityMs = 7_300 * 86_400_000;

const oidEcdsaWithSha256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const oidEcPublicKey = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const oidPrime256v1 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const oidCommonName = [0x06, 0x03, 0x55, 0x04, 0x03];
const oidKeyUsage = [0x06, 0x03, 0x55, 0x1d, 0x0f];
const oidBasicConstraints = [0x06, 0x03, 0x55, 0x1d, 0x13];
const oidSubjectKeyIdentifier = [0x06, 0x03, 0x55, 0x1d, 0x0e];
const booleanTrue = [0x01, 0x01, 0xff];

/** The last TLS info made (every node of a cluster reports the same one). */
let lastMade: { readonly key: string; readonly info: RootCaTlsInfo } | null = null;

/** The root CA's TLS info for a cluster: drawn from its root CA digest, valid from its creation (wall ms since the epoch). */
export function rootCaTlsInfo(rootCaDigest: string, createdAtWallMs: number): RootCaTlsInfo {
  const key = `${rootCaDigest}@${createdAtWallMs}`;
  if (lastMade?.key !== key) lastMade = { key, info: makeRootCaTlsInfo(rootCaDigest, createdAtWallMs) };
  return lastMade.info;
}

function makeRootCaTlsInfo(rootCaDigest: string, createdAtWallMs: number): RootCaTlsInfo {
  const bytes = byteSource(rootCaDigest);
  const subject = name("swarm-ca");
  // An uncompressed P-256 point: 0x04, then x and y.
  const publicKeyInfo = sequence(sequence(oidEcPublicKey, oidPrime256v1), bitString([0x04, ...bytes(64)]));
  const notBeforeMs = Math.floor((createdAtWallMs - rootCaBackdateMs) / 60_000) * 60_000;
  const serial = bytes(20);
  serial[0]! &= 0x7f; // a positive INTEGER
  const tbs = sequence(
    tagged(0xa0, integer([0x02])),
    integer(serial),
    sequence(oidEcdsaWithSha256),
    subject,
    sequence(utcTime(notBeforeMs), utcTime(notBeforeMs + rootCaValidityMs)),
    subject,
    publicKeyInfo,
    tagged(
      0xa3,
      sequence(
        sequence(oidKeyUsage, booleanTrue, octetString(bitString([0x06]))),
        sequence(oidBasicConstraints, booleanTrue, octetString(sequence(booleanTrue))),
        sequence(oidSubjectKeyIdentifier, octetString(octetString(bytes(20)))),
      ),
    ),
  );
  const signature = sequence(integer(positive(bytes(32))), integer(positive(bytes(32))));
  const certificate = sequence(tbs, sequence(oidEcdsaWithSha256), bitString(signature));
  return { TrustRoot: pem(certificate), CertIssuerSubject: base64(subject), CertIssuerPublicKey: base64(publicKeyInfo) };
}

/** Deterministic bytes from a seed text: each call continues the stream. */
function byteSource(seed: string): (count: number) => number[] {
  let counter = 0;
  return (count) => {
    const out: number[] = [];
    while (out.length < count) {
      const hash = new StableHash();
      hash.update(seed);
      hash.update(String(counter++));
      const hex = hash.digest();
      for (let index = 0; index < hex.length && out.length < count; index += 2) out.push(Number.parseInt(hex.slice(index, index + 2), 16));
    }
    return out;
  };
}

function encodedLength(length: number): number[] {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  return [0x82, length >> 8, length & 0xff];
}

function tagged(tag: number, ...parts: number[][]): number[] {
  // Plain loops: `flat()` and spreading every nested level were most of a certificate's cost.
  let length = 0;
  for (const part of parts) length += part.length;
  const out = [tag, ...encodedLength(length)];
  for (const part of parts) for (const byte of part) out.push(byte);
  return out;
}

function sequence(...parts: number[][]): number[] {
  return tagged(0x30, ...parts);
}

function integer(value: number[]): number[] {
  return tagged(0x02, value);
}

function octetString(value: number[]): number[] {
  return tagged(0x04, value);
}

function bitString(value: number[]): number[] {
  return tagged(0x03, [0x00], value);
}

/** A value with its high bit clear, so an INTEGER of it needs no leading zero. */
function positive(value: number[]): number[] {
  value[0]! &= 0x7f;
  return value;
}

function name(commonName: string): number[] {
  const text = [...commonName].map((character) => character.charCodeAt(0));
  return sequence(tagged(0x31, sequence(oidCommonName, tagged(0x13, text))));
}

function utcTime(wallMs: number): number[] {
  const iso = formatTime(wallMs); // 2026-11-25T19:46:00.000Z
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tagged(0x17, [...text].map((character) => character.charCodeAt(0)));
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: readonly number[]): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    text += base64Alphabet[(chunk >> 18) & 63]! + base64Alphabet[(chunk >> 12) & 63]!;
    text += index + 1 < bytes.length ? base64Alphabet[(chunk >> 6) & 63]! : "=";
    text += index + 2 < bytes.length ? base64Alphabet[chunk & 63]! : "=";
  }
  return text;
}

function pem(der: readonly number[]): string {
  const body = base64(der).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}
