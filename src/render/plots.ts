/**
 * Plots of measured values: an empirical CDF and a histogram, with axes, ticks, units and
 * labels, and a helper that plots one measure of an experiment's result. Non-finite values
 * (and the nulls of a result, where a measure had no value) are left out and counted.
 */
import { SimulationError } from "../sim/errors.js";
import type { ExperimentResult } from "../testing/experiment.js";
import { element, escapeXml, formatValue, niceDomain, niceTicks, svgDocument, textElement } from "./svg.js";

/** Options of {@link renderCdf}. */
export interface CdfOptions {
  /** The plot's title. */
  readonly title: string;
  /** The unit of the values, shown on the x axis (e.g. `ms`, `s`). */
  readonly unit: string;
  /** Width of the picture, px (default 640). */
  readonly widthPx?: number;
  /** Height of the picture, px (default 400). */
  readonly heightPx?: number;
}

/** Options of {@link renderHistogram}. */
export interface HistogramOptions extends CdfOptions {
  /** Number of bins of equal width (default 20, at most `histogramBinsMax`). */
  readonly bins?: number;
}

/** Options of {@link renderMeasure}. */
export interface MeasurePlotOptions {
  /** `cdf` (default) or `histogram`. */
  readonly kind?: "cdf" | "histogram";
  /** The unit of the measure (default none). */
  readonly unit?: string;
  /** Bins of a histogram. */
  readonly bins?: number;
  /** The plot's title (default `<experiment>: <measure>`). */
  readonly title?: string;
  /** Width of the picture, px. */
  readonly widthPx?: number;
  /** Height of the picture, px. */
  readonly heightPx?: number;
}

/** Bound `plotValuesMax`: most values a plot reads (more are refused). */
export const plotValuesMax = 10_000_000;
/** Bound `cdfPointsMax`: most steps a CDF draws (above it, evenly spaced quantiles are drawn). */
export const cdfPointsMax = 2_000;
/** Bound `histogramBinsMax`: most bins of a histogram. */
export const histogramBinsMax = 200;

const margin = { leftPx: 70, rightPx: 24, topPx: 48, bottomPx: 56 };

/** The finite values, sorted ascending, and how many were left out. */
function finiteSorted(values: ReadonlyArray<number | null | undefined>): { sorted: number[]; leftOut: number } {
  if (values.length > plotValuesMax) throw new SimulationError(`${values.length} values exceed the plotValuesMax bound (${plotValuesMax})`);
  const sorted: number[] = [];
  for (const value of values) if (typeof value === "number" && Number.isFinite(value)) sorted.push(value);
  sorted.sort((left, right) => left - right);
  return { sorted, leftOut: values.length - sorted.length };
}

/** The plot area and both axes, with ticks, tick labels and axis labels. */
function axes(widthPx: number, heightPx: number, xTicks: readonly number[], yTicks: readonly number[], xOf: (value: number) => number, yOf: (value: number) => number, xLabel: string, yLabel: string, yFormat: (value: number) => string): string {
  const left = margin.leftPx;
  const bottom = heightPx - margin.bottomPx;
  const parts: string[] = [];
  for (const tick of yTicks) {
    const y = yOf(tick);
    parts.push(element("line", { x1: left, y1: y, x2: widthPx - margin.rightPx, y2: y, stroke: "#eeeeee" }));
    parts.push(element("line", { x1: left - 5, y1: y, x2: left, y2: y, stroke: "#424242" }));
    parts.push(textElement(yFormat(tick), { x: left - 8, y: y + 3.5, "text-anchor": "end", "font-size": 10 }));
  }
  for (const tick of xTicks) {
    const x = xOf(tick);
    parts.push(element("line", { x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: "#424242" }));
    parts.push(textElement(formatValue(tick), { x, y: bottom + 18, "text-anchor": "middle", "font-size": 10 }));
  }
  parts.push(element("line", { x1: left, y1: bottom, x2: widthPx - margin.rightPx, y2: bottom, stroke: "#424242" }));
  parts.push(element("line", { x1: left, y1: margin.topPx, x2: left, y2: bottom, stroke: "#424242" }));
  parts.push(textElement(xLabel, { x: (left + widthPx - margin.rightPx) / 2, y: heightPx - 14, "text-anchor": "middle", "font-size": 12 }));
  const middleY = (margin.topPx + bottom) / 2;
  parts.push(textElement(yLabel, { x: 16, y: middleY, "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 16 ${Math.round(middleY * 100) / 100})` }));
  return element("g", { class: "axes" }, parts.join(""));
}

/** The x range of a plot: the values' range, widened when all values are equal. */
function valueRange(sorted: readonly number[]): [number, number] {
  const low = sorted[0] ?? 0;
  const high = sorted[sorted.length - 1] ?? 1;
  if (high > low) return [low, high];
  const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
  return [low - pad, high + pad];
}

function header(title: string, subtitle: string): string[] {
  return [textElement(title, { x: margin.leftPx, y: 20, "font-size": 15, "font-weight": "bold" }), textElement(subtitle, { x: margin.leftPx, y: 36, "font-size": 11, fill: "#424242" })];
}

function unitSuffix(unit: string): string {
  return unit === "" ? "" : ` (${unit})`;
}

/**
 * Renders the empirical cumulative distribution of `values` as an SVG string: a step line
 * (fraction of values at most x), with the 50th, 90th and 99th percentiles (nearest rank)
 * marked and n in the subtitle. Non-finite values are left out and counted.
 */
export function renderCdf(values: ReadonlyArray<number | null | undefined>, options: CdfOptions): string {
  const widthPx = options.widthPx ?? 640;
  const heightPx = options.heightPx ?? 400;
  const { sorted, leftOut } = finiteSorted(values);
  const [low, high] = valueRange(sorted);
  const { minimum: xMinimum, maximum: xMaximum, ticks: xTicks } = niceDomain(low, high, 6);
  const xOf = (value: number) => margin.leftPx + ((value - xMinimum) / (xMaximum - xMinimum)) * (widthPx - margin.leftPx - margin.rightPx);
  const yOf = (fraction: number) => heightPx - margin.bottomPx - fraction * (heightPx - margin.topPx - margin.bottomPx);
  const count = sorted.length;
  const body = header(options.title, `n = ${count}${leftOut > 0 ? ` (${leftOut} without a value left out)` : ""}`);
  body.push(axes(widthPx, heightPx, xTicks, [0, 0.25, 0.5, 0.75, 1], xOf, yOf, `value${unitSuffix(options.unit)}`, "fraction of values ≤ x", (value) => value.toFixed(2)));
  if (count === 0) {
    body.push(textElement("no values", { x: widthPx / 2, y: heightPx / 2, "text-anchor": "middle", fill: "#757575" }));
    return svgDocument(widthPx, heightPx, options.title, body);
  }
  // The steps: at most cdfPointsMax of them, at evenly spaced ranks when there are more values.
  const stepCount = Math.min(count, cdfPointsMax);
  let path = `M ${round(xOf(sorted[0]!))} ${round(yOf(0))}`;
  for (let step = 1; step <= stepCount; step++) {
    const rank = Math.round((step * count) / stepCount);
    const value = sorted[rank - 1]!;
    path += ` H ${round(xOf(value))} V ${round(yOf(rank / count))}`;
  }
  path += ` H ${round(xOf(xMaximum))}`;
  body.push(element("path", { class: "cdf", d: path, fill: "none", stroke: "#1e88e5", "stroke-width": 2 }));
  for (const percent of [50, 90, 99]) {
    const value = sorted[Math.max(0, Math.ceil((percent / 100) * count) - 1)]!;
    const x = xOf(value);
    body.push(
      element(
        "g",
        { class: "percentile" },
        element("line", { x1: x, y1: yOf(percent / 100), x2: x, y2: yOf(0), stroke: "#e53935", "stroke-dasharray": "3 3" }) +
          element("circle", { cx: x, cy: yOf(percent / 100), r: 3, fill: "#e53935" }) +
          textElement(`p${percent} ${formatValue(value)}${options.unit === "" ? "" : ` ${options.unit}`}`, { x: x - 4, y: yOf(percent / 100) - 6, "text-anchor": "end", "font-size": 10, fill: "#c62828" }),
      ),
    );
  }
  return svgDocument(widthPx, heightPx, options.title, body);
}

/**
 * Renders a histogram of `values` as an SVG string: `bins` bins of equal width over the values'
 * range (the last bin includes its upper edge), bar heights in counts, the count above each
 * non-empty bar. Non-finite values are left out and counted.
 */
export function renderHistogram(values: ReadonlyArray<number | null | undefined>, options: HistogramOptions): string {
  const widthPx = options.widthPx ?? 640;
  const heightPx = options.heightPx ?? 400;
  const bins = options.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1 || bins > histogramBinsMax) throw new SimulationError(`invalid bins ${JSON.stringify(bins)}: expected a whole number from 1 to ${histogramBinsMax}`);
  const { sorted, leftOut } = finiteSorted(values);
  const [low, high] = valueRange(sorted);
  const binWidth = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of sorted) counts[Math.min(bins - 1, Math.floor((value - low) / binWidth))]!++;
  const countMaximum = Math.max(1, ...counts);
  const yTicks = niceTicks(0, countMaximum, 5).filter((tick) => Number.isInteger(tick));
  const yMaximum = Math.max(countMaximum, yTicks[yTicks.length - 1] ?? countMaximum);
  const domain = niceDomain(low, high, 6);
  const xOf = (value: number) => margin.leftPx + ((value - domain.minimum) / (domain.maximum - domain.minimum)) * (widthPx - margin.leftPx - margin.rightPx);
  const yOf = (count: number) => heightPx - margin.bottomPx - (count / yMaximum) * (heightPx - margin.topPx - margin.bottomPx);
  const body = header(options.title, `n = ${sorted.length}, ${bins} bins of ${formatValue(binWidth)}${options.unit === "" ? "" : ` ${options.unit}`}${leftOut > 0 ? ` (${leftOut} without a value left out)` : ""}`);
  body.push(axes(widthPx, heightPx, domain.ticks, yTicks, xOf, yOf, `value${unitSuffix(options.unit)}`, "count", (value) => String(value)));
  if (sorted.length === 0) {
    body.push(textElement("no values", { x: widthPx / 2, y: heightPx / 2, "text-anchor": "middle", fill: "#757575" }));
    return svgDocument(widthPx, heightPx, options.title, body);
  }
  counts.forEach((count, index) => {
    const left = low + index * binWidth;
    const x = xOf(left);
    const width = Math.max(0.5, xOf(left + binWidth) - x - 1);
    const y = yOf(count);
    const tooltip = `[${formatValue(left)}, ${formatValue(left + binWidth)}${index === bins - 1 ? "]" : ")"}${options.unit === "" ? "" : ` ${options.unit}`}: ${count}`;
    body.push(
      element(
        "g",
        { class: "bin" },
        element("title", {}, escapeXml(tooltip)) +
          element("rect", { x, y, width, height: yOf(0) - y, fill: "#42a5f5", stroke: "#1e88e5", "stroke-width": 0.5 }) +
          (count > 0 ? textElement(String(count), { x: x + width / 2, y: y - 3, "text-anchor": "middle", "font-size": 9 }) : ""),
      ),
    );
  });
  return svgDocument(widthPx, heightPx, options.title, body);
}

/**
 * Plots one measure of an experiment's result (every seed's value; nulls left out and counted)
 * as a CDF or a histogram. Throws when the result has no such measure.
 */
export function renderMeasure<M extends string>(result: ExperimentResult<M>, measure: M, options: MeasurePlotOptions = {}): string {
  if (!Object.hasOwn(result.summary, measure)) throw new SimulationError(`renderMeasure: the result of "${result.name}" has no measure "${measure}"`);
  const values = result.rows.map((row) => row[measure]);
  const title = options.title ?? `${result.name}: ${measure} over ${result.rows.length} seed(s)`;
  const common = { title, unit: options.unit ?? "", ...(options.widthPx === undefined ? {} : { widthPx: options.widthPx }), ...(options.heightPx === undefined ? {} : { heightPx: options.heightPx }) };
  return options.kind === "histogram" ? renderHistogram(values, { ...common, ...(options.bins === undefined ? {} : { bins: options.bins }) }) : renderCdf(values, common);
}

/** A coordinate rounded to two decimals, for path data. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}
