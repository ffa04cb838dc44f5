/**
 * Summary statistics and deterministic text output for experiments: `summarize` (count,
 * mean, nearest-rank median and percentiles, maximum), `toCsv` for rows and `toJson` for a
 * whole result. The same input always gives the same text, byte for byte.
 */
import { SimulationError } from "../sim/errors.js";

/** Bound `summaryValuesMax`: most values `summarize` accepts in one call. */
export const summaryValuesMax = 10_000_000;
/** Bound `csvRowsMax`: most rows `toCsv` writes. */
export const csvRowsMax = 10_000_000;
/** Bound `csvColumnsMax`: most distinct columns `toCsv` writes. */
export const csvColumnsMax = 10_000;

/**
 * Summary of a list of numbers. Percentiles use the nearest-rank method: the p-th percentile
 * of n sorted values is the value at rank ⌈p/100 × n⌉ (1-based), always one of the values.
 * The median is the 50th percentile by that method (for an even count, the lower middle
 * value, not the average of the two). For an empty list `count` is 0 and every other field
 * is `NaN` (written as `null` by {@link toJson}).
 */
export interface Summary {
  /** How many values were summarized. */
  readonly count: number;
  /** Arithmetic mean (the values are added smallest first, so order does not matter). */
  readonly mean: number;
  /** Nearest-rank 50th percentile. */
  readonly median: number;
  /** Nearest-rank 90th percentile. */
  readonly p90: number;
  /** Nearest-rank 99th percentile. */
  readonly p99: number;
  /** Largest value. */
  readonly max: number;
}

/**
 * The nearest-rank `percent`-th percentile of values sorted ascending; `NaN` when empty.
 *
 * @example
 * ```ts
 * nearestRankPercentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function nearestRankPercentile(sortedValues: readonly number[], percent: number): number {
  if (!(percent > 0 && percent <= 100)) throw new SimulationError(`invalid percentile ${JSON.stringify(percent)}: expected a number in (0, 100]`);
  if (sortedValues.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((percent / 100) * sortedValues.length));
  return sortedValues[Math.min(sortedValues.length, rank) - 1]!;
}

/**
 * Summarizes finite numbers: count, mean, nearest-rank median, p90, p99 and maximum. The
 * result does not depend on the order of the values. Throws a `SimulationError` on a value
 * that is not a finite number.
 *
 * @example
 * ```ts
 * summarize([5, 1, 4, 2, 3]); // { count: 5, mean: 3, median: 3, p90: 5, p99: 5, max: 5 }
 * summarize([]);              // { count: 0, mean: NaN, median: NaN, p90: NaN, p99: NaN, max: NaN }
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length > summaryValuesMax) throw new SimulationError(`summarize: ${values.length} values exceed the summaryValuesMax bound (${summaryValuesMax})`);
  for (const value of values) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new SimulationError(`summarize: invalid value ${String(value)}: expected a finite number`);
  }
  const sorted = [...values].sort((left, right) => left - right);
  if (sorted.length === 0) return { count: 0, mean: Number.NaN, median: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    median: nearestRankPercentile(sorted, 50),
    p90: nearestRankPercentile(sorted, 90),
    p99: nearestRankPercentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}

/** A value of a CSV cell: `null` and `undefined` give an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows as CSV text: a header of the columns (the keys of the rows in order of first
 * appearance, or `columns` when given), one line per row, `\n` line ends and a final `\n`.
 * Numbers are written in JavaScript's shortest round-trip form; `null`, missing and
 * non-finite values give empty cells; cells holding a comma, a quote or a line break are
 * quoted (RFC 4180).
 *
 * @example
 * ```ts
 * toCsv([{ seed: "a/0", electionMs: 312.5 }, { seed: "a/1", electionMs: null }]);
 * // "seed,electionMs\na/0,312.5\na/1,\n"
 * ```
 */
export function toCsv(rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>, columns?: readonly string[]): string {
  if (rows.length > csvRowsMax) throw new SimulationError(`toCsv: ${rows.length} rows exceed the csvRowsMax bound (${csvRowsMax})`);
  let header = columns === undefined ? undefined : [...columns];
  if (header === undefined) {
    const seen = new Set<string>();
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        if (seen.has(key)) continue;
        if (seen.size >= csvColumnsMax) throw new SimulationError(`toCsv: more than the csvColumnsMax bound (${csvColumnsMax}) of columns`);
        seen.add(key);
      }
    }
    header = [...seen];
  }
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(header.map((column) => csvCell(row[column])).join(","));
  return lines.join("\n") + "\n";
}

/**
 * A value as deterministic JSON text: two-space indentation, a final `\n`, keys in insertion
 * order (results are built in a fixed order), and `NaN`/`Infinity` written as `null`.
 *
 * @example
 * ```ts
 * toJson(experiment({ name: "election", seeds: 20, scenario, measure }));
 * ```
 */
export function toJson(result: unknown): string {
  return JSON.stringify(result, null, 2) + "\n";
}
