/**
 * Wall-clock dates for the virtual clock: the simulation starts at a fixed epoch, so every
 * timestamp it shows (CreatedAt, logs, events) is deterministic. Formatting is done by hand
 * (civil-from-days), never through the host's real clock.
 */
import { SimulationError } from "./errors.js";

/** The default wall-clock time of virtual time 0. */
export const defaultStartTime = "2025-06-01T00:00:00Z";

const millisecondsPerDay = 86_400_000;

/** Parses an ISO 8601 / RFC 3339 time with a zone into milliseconds since the Unix epoch. */
export function parseStartTime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new SimulationError(`invalid startTime ${JSON.stringify(text)}: expected RFC 3339, e.g. "2025-01-01T00:00:00Z"`);
  }
  const milliseconds = Date.parse(text);
  if (!Number.isFinite(milliseconds)) throw new SimulationError(`invalid startTime ${JSON.stringify(text)}`);
  return milliseconds;
}

/** Year, month (1-12) and day of a count of days since 1970-01-01 (Howard Hinnant's algorithm). */
function civilFromDays(daysSinceEpoch: number): [number, number, number] {
  const shifted = daysSinceEpoch + 719468;
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Formats milliseconds since the Unix epoch as RFC 3339 in UTC. `fractionDigits` 3 gives
 * `2025-01-01T00:00:00.000Z`; 9 gives Docker's nanosecond form, and `trimZeros` drops
 * trailing zeros as Go's RFC3339Nano does (`2025-01-01T00:00:01.5Z`).
 */
export function formatTime(epochMilliseconds: number, fractionDigits = 3, trimZeros = false): string {
  const wholeMilliseconds = Math.floor(epochMilliseconds);
  const days = Math.floor(wholeMilliseconds / millisecondsPerDay);
  const millisecondOfDay = wholeMilliseconds - days * millisecondsPerDay;
  const [year, month, day] = civilFromDays(days);
  const secondOfDay = Math.floor(millisecondOfDay / 1000);
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  const seconds = secondOfDay % 60;
  const nanoseconds = Math.round((epochMilliseconds - (wholeMilliseconds - millisecondOfDay) - secondOfDay * 1000) * 1_000_000);
  let fraction = pad(Math.min(nanoseconds, 999_999_999), 9).slice(0, fractionDigits);
  if (trimZeros) fraction = fraction.replace(/0+$/, "");
  const fractionText = fraction.length > 0 ? `.${fraction}` : "";
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${fractionText}Z`;
}
