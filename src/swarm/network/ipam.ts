/**
 * IPv4 address arithmetic for the swarm's address pools, and the choices libnetwork's default
 * IPAM makes as swarmkit drives it: subnets from the default address pool 10.0.0.0/8 in /24s
 * (the lowest one no other network overlaps; the ingress network has 10.0.0.0/24), the gateway
 * as the subnet's first address, addresses handed out serially (the search starts after the last
 * one given, wrapping around, so a released address is not reused at once), VXLAN ids from 4096
 * (the ingress network's) upwards.
 */
import type { AddressPool } from "../types.js";

/** The default address pool's first subnet, its size and count (`--default-addr-pool 10.0.0.0/8 --default-addr-pool-mask-length 24`). */
export const defaultAddressPool = { base: "10.0.0.0", prefixLength: 8, subnetPrefixLength: 24 } as const;
/** The ingress network's subnet and gateway, and its VXLAN id (the first). */
export const ingressSubnet = { subnet: "10.0.0.0/24", gateway: "10.0.0.1", vxlanId: 4096 } as const;
/** Bound `vxlanIdMax`: the largest VXLAN id (24 bits), as the overlay driver's range ends. */
export const vxlanIdMax = 16_777_215;

/** A parsed IPv4 subnet. */
export interface Subnet {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefixLength: number;
  /** The largest host number (the broadcast address is one more). */
  readonly lastHost: number;
}

/** `10.0.1.5` as an unsigned 32-bit number, or null when it is not a dotted quad. */
export function parseAddress(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** The dotted quad of an unsigned 32-bit number. */
export function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** `10.0.1.0/24` parsed (the base masked to the prefix), or null when malformed or smaller than a /30. */
export function parseSubnet(text: string): Subnet | null {
  const [address, length] = text.split("/");
  const base = parseAddress(address ?? "");
  const prefixLength = Number(length);
  if (base === null || !/^\d{1,2}$/.test(length ?? "") || prefixLength < 1 || prefixLength > 30) return null;
  const size = 2 ** (32 - prefixLength);
  return { base: base - (base % size), prefixLength, lastHost: size - 2 };
}

/** Whether two subnets share an address. */
export function overlaps(left: Subnet, right: Subnet): boolean {
  const leftEnd = left.base + left.lastHost + 1;
  const rightEnd = right.base + right.lastHost + 1;
  return left.base <= rightEnd && right.base <= leftEnd;
}

/** The address of host number `host` in `subnet` (`10.0.1.0/24`, 5: `10.0.1.5`). */
export function hostAddress(subnet: string, host: number): string {
  const parsed = parseSubnet(subnet);
  return parsed === null ? "" : formatAddress(parsed.base + host);
}

/** The prefix length of a subnet (`24`). */
export function prefixLengthOf(subnet: string): number {
  return parseSubnet(subnet)?.prefixLength ?? 0;
}

/** The host number of `address` in `subnet`, or null when it lies outside. */
export function hostNumber(subnet: string, address: string): number | null {
  const parsed = parseSubnet(subnet);
  const value = parseAddress(address);
  if (parsed === null || value === null || value <= parsed.base || value > parsed.base + parsed.lastHost) return null;
  return value - parsed.base;
}

/**
 * The next host number of `pool` after its cursor that is neither the gateway nor in `taken`,
 * wrapping around once (libnetwork's serial allocation); null when the pool is full.
 */
export function nextHost(pool: AddressPool, taken: ReadonlySet<number>): number | null {
  const subnet = parseSubnet(pool.subnet);
  if (subnet === null) return null;
  const gateway = hostNumber(pool.subnet, pool.gateway);
  const free = (host: number) => host !== gateway && !taken.has(host);
  for (let host = pool.cursor + 1; host <= subnet.lastHost; host++) if (free(host)) return host;
  for (let host = 1; host <= Math.min(pool.cursor, subnet.lastHost); host++) if (free(host)) return host;
  return null;
}

/** The lowest /24 of the default address pool that overlaps none of `used`, or null when all are taken. */
export function nextDefaultSubnet(used: readonly Subnet[]): string | null {
  const pool = parseSubnet(`${defaultAddressPool.base}/${defaultAddressPool.prefixLength}`)!;
  const step = 2 ** (32 - defaultAddressPool.subnetPrefixLength);
  const count = 2 ** (defaultAddressPool.subnetPrefixLength - defaultAddressPool.prefixLength);
  for (let index = 0; index < count; index++) {
    const candidate: Subnet = { base: pool.base + index * step, prefixLength: defaultAddressPool.subnetPrefixLength, lastHost: step - 2 };
    if (!used.some((subnet) => overlaps(subnet, candidate))) return `${formatAddress(candidate.base)}/${candidate.prefixLength}`;
  }
  return null;
}

/** The lowest VXLAN id from the ingress network's not in `used`, or null when none is left. */
export function nextVxlanId(used: ReadonlySet<number>): number | null {
  for (let id = ingressSubnet.vxlanId; id <= vxlanIdMax; id++) if (!used.has(id)) return id;
  return null;
}

/** The MAC address Docker derives from an IPv4 address (`02:42:` and the address's four bytes). */
export function macAddressOf(address: string): string {
  return `02:42:${address
    .split(".")
    .map((part) => Number(part).toString(16).padStart(2, "0"))
    .join(":")}`;
}
