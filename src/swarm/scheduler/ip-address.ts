/**
 * IP addresses and CIDR networks as Go's `net.ParseIP`, `net.ParseCIDR`, `IP.Equal` and
 * `IPNet.Contains` treat them, for swarmkit's `node.ip` constraint (`node.ip==10.0.0.2`,
 * `node.ip!=10.0.0.0/24`). Addresses are 16 bytes (IPv4 as IPv4-mapped IPv6); IPv4 fields
 * with a leading zero and addresses with a zone (`%eth0`) are refused, as in Go 1.17 and later.
 */

/** An address as 16 bytes; IPv4 addresses are IPv4-mapped (`::ffff:a.b.c.d`). */
export type IpAddress = Uint8Array;

/** A network: its masked address and mask, with Go's lengths (4 bytes for IPv4, 16 for IPv6). */
export interface IpNetwork {
  readonly address: Uint8Array;
  readonly mask: Uint8Array;
}

const ipv4Length = 4;
const ipv6Length = 16;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Parses dotted IPv4 fields of `text` into `target` at `offset`; false when malformed. */
function parseIpv4Fields(text: string, target: Uint8Array, offset: number): boolean {
  let value = 0;
  let position = 0;
  let digits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isDigit(code)) {
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + (code - 0x30);
      digits++;
      if (value > 255) return false;
    } else if (code === 0x2e) {
      if (index === 0 || index === text.length - 1 || text.charCodeAt(index - 1) === 0x2e) return false;
      if (position === 3) return false;
      target[offset + position] = value;
      position++;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (position < 3) return false;
  target[offset + 3] = value;
  return true;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** Go's netip parseIPv6 (zones refused). */
function parseIpv6(input: string): IpAddress | null {
  const address = new Uint8Array(ipv6Length);
  let rest = input;
  let ellipsis = -1;
  if (rest.length >= 2 && rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return address;
  }
  let filled = 0;
  // Bounded: each pass fills 2 (or 4) of the 16 bytes.
  while (filled < ipv6Length) {
    let offset = 0;
    let accumulator = 0;
    for (; offset < rest.length; offset++) {
      const digit = hexValue(rest.charCodeAt(offset));
      if (digit < 0) break;
      if (offset > 3) return null;
      accumulator = accumulator * 16 + digit;
    }
    if (offset === 0) return null;
    if (offset < rest.length && rest.charCodeAt(offset) === 0x2e) {
      if (ellipsis < 0 && filled !== 12) return null;
      if (filled + 4 > ipv6Length) return null;
      if (!parseIpv4Fields(rest, address, filled)) return null;
      rest = "";
      filled += 4;
      break;
    }
    address[filled] = accumulator >> 8;
    address[filled + 1] = accumulator & 0xff;
    filled += 2;
    rest = rest.slice(offset);
    if (rest.length === 0) break;
    if (rest.charCodeAt(0) !== 0x3a || rest.length === 1) return null;
    rest = rest.slice(1);
    if (rest.charCodeAt(0) === 0x3a) {
      if (ellipsis >= 0) return null;
      ellipsis = filled;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return null;
  if (filled < ipv6Length) {
    if (ellipsis < 0) return null;
    const gap = ipv6Length - filled;
    address.copyWithin(ellipsis + gap, ellipsis, filled);
    address.fill(0, ellipsis, ellipsis + gap);
  } else if (ellipsis >= 0) {
    return null;
  }
  return address;
}

/** Parses an address; returns it with its bit length (32 or 128), or null. */
function parseAddress(text: string): { readonly address: IpAddress; readonly bits: number } | null {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x2e) {
      const address = new Uint8Array(ipv6Length);
      address[10] = 0xff;
      address[11] = 0xff;
      return parseIpv4Fields(text, address, 12) ? { address, bits: 32 } : null;
    }
    if (code === 0x3a) {
      if (text.includes("%")) return null;
      const address = parseIpv6(text);
      return address === null ? null : { address, bits: 128 };
    }
    if (code === 0x25) return null;
  }
  return null;
}

/** Go's `net.ParseIP`: the 16-byte address, or null when `text` is not an address. */
export function parseIp(text: string): IpAddress | null {
  return parseAddress(text)?.address ?? null;
}

/** Go's `IP.To4`: the 4-byte form of an IPv4 (or IPv4-mapped) address, else null. */
function toIpv4(address: Uint8Array): Uint8Array | null {
  if (address.length === ipv4Length) return address;
  if (address.length !== ipv6Length) return null;
  for (let index = 0; index < 10; index++) if (address[index] !== 0) return null;
  if (address[10] !== 0xff || address[11] !== 0xff) return null;
  return address.subarray(12);
}

/** Go's `IP.Equal` for two parsed addresses (null never equals anything). */
export function ipEqual(left: IpAddress | null, right: IpAddress | null): boolean {
  if (left === null || right === null) return false;
  for (let index = 0; index < ipv6Length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Go's `dtoi` on the whole text: a decimal number, or -1. */
function parseDecimal(text: string): number {
  if (text.length === 0) return -1;
  let value = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
    if (value >= 0xffffff) return -1;
  }
  return value;
}

/** Go's `net.ParseCIDR`: the network, or null when `text` is not `address/prefix`. */
export function parseCidr(text: string): IpNetwork | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const parsed = parseAddress(text.slice(0, slash));
  if (parsed === null) return null;
  const prefix = parseDecimal(text.slice(slash + 1));
  if (prefix < 0 || prefix > parsed.bits) return null;
  const mask = new Uint8Array(parsed.bits / 8);
  for (let index = 0; index < mask.length; index++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - index * 8));
    mask[index] = bitsHere === 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
  }
  // IP.Mask: a 4-byte mask applies to the last 4 bytes of an IPv4-mapped address.
  const source = mask.length === ipv4Length ? parsed.address.subarray(12) : parsed.address;
  const address = new Uint8Array(mask.length);
  for (let index = 0; index < mask.length; index++) address[index] = source[index]! & mask[index]!;
  return { address, mask };
}

/** Go's `IPNet.Contains`. */
export function networkContains(network: IpNetwork, address: IpAddress | null): boolean {
  const networkAddress: Uint8Array = toIpv4(network.address) ?? network.address;
  if (networkAddress.length !== ipv4Length && networkAddress.length !== ipv6Length) return false;
  let mask = network.mask;
  if (mask.length === ipv4Length) {
    if (networkAddress.length !== ipv4Length) return false;
  } else if (mask.length === ipv6Length) {
    if (networkAddress.length === ipv4Length) mask = mask.subarray(12);
  } else {
    return false;
  }
  if (address === null) return false;
  const candidate = toIpv4(address) ?? address;
  if (candidate.length !== networkAddress.length) return false;
  for (let index = 0; index < candidate.length; index++) {
    if ((networkAddress[index]! & mask[index]!) !== (candidate[index]! & mask[index]!)) return false;
  }
  return true;
}
