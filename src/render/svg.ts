/**
 * The small SVG toolkit the renderers share: XML escaping, deterministic number formatting,
 * element builders, "nice" axis ticks and the colour palettes of task and Raft states. Output is
 * a plain string; nothing here touches the DOM or Node built-ins, so it runs in a browser.
 */

/** The value of an SVG attribute; `undefined` leaves the attribute out. */
export type AttributeValue = string | number | undefined;

/** Escapes text for XML content and attribute values (`& < > " '`). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => {
    switch (character) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}

/** A coordinate or length with at most two decimals, without `-0` (the same number always prints the same). */
export function formatCoordinate(value: number): string {
  if (!Number.isFinite(value)) return "0";
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** One element with attributes in the given order; `content` is raw (already escaped) markup. */
export function element(name: string, attributes: Readonly<Record<string, AttributeValue>>, content?: string): string {
  let markup = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    markup += ` ${key}="${typeof value === "number" ? formatCoordinate(value) : escapeXml(value)}"`;
  }
  return content === undefined ? `${markup}/>` : `${markup}>${content}</${name}>`;
}

/** A `<text>` element whose content is escaped. */
export function textElement(text: string, attributes: Readonly<Record<string, AttributeValue>>): string {
  return element("text", attributes, escapeXml(text));
}

/** A whole SVG document: the root element with a title (for screen readers and tooltips) and the body. */
export function svgDocument(widthPx: number, heightPx: number, title: string, body: readonly string[]): string {
  const root = element(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width: Math.ceil(widthPx),
      height: Math.ceil(heightPx),
      viewBox: `0 0 ${Math.ceil(widthPx)} ${Math.ceil(heightPx)}`,
      "font-family": "Helvetica, Arial, sans-serif",
      "font-size": 12,
    },
    `\n${element("title", {}, escapeXml(title))}\n${element("rect", { x: 0, y: 0, width: Math.ceil(widthPx), height: Math.ceil(heightPx), fill: "#ffffff" })}\n${body.join("\n")}\n`,
  );
  return `${root}\n`;
}

/** Shortens `text` to at most `lengthMax` characters, ending with an ellipsis when cut. */
export function truncate(text: string, lengthMax: number): string {
  return text.length <= lengthMax ? text : `${text.slice(0, Math.max(0, lengthMax - 1))}…`;
}

/** Bound `axisTicksMax`: most ticks an axis draws. */
export const axisTicksMax = 50;

/**
 * About `countWanted` round tick values (steps of 1, 2 or 5 times a power of ten) covering
 * `[minimum, maximum]`, at most `axisTicksMax` of them.
 */
export function niceTicks(minimum: number, maximum: number, countWanted: number): number[] {
  if (!Number.isFinite(minimum) || !Number.isFinite(maximum)) return [];
  if (maximum <= minimum) return [minimum];
  const rawStep = (maximum - minimum) / Math.max(1, countWanted);
  const power = 10 ** Math.floor(Math.log10(rawStep));
  const fraction = rawStep / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  const ticks: number[] = [];
  const first = Math.ceil(minimum / step - 1e-9);
  for (let index = first; ticks.length < axisTicksMax; index++) {
    const value = index * step;
    if (value > maximum + step * 1e-9) break;
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

/** A number as a short label: up to 4 significant digits after rounding, no exponent for everyday values. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** A virtual time in ms as seconds with millisecond precision, e.g. `12.345 s`. */
export function formatSecondsLabel(timeMs: number): string {
  return `${(timeMs / 1_000).toFixed(3)} s`;
}

/** Fill colours of task states (the Engine API's lowercase names); unknown states are grey. */
export const taskStateColours: Readonly<Record<string, string>> = {
  new: "#cfd8dc",
  pending: "#b0bec5",
  assigned: "#90a4ae",
  accepted: "#ffe082",
  preparing: "#ffd54f",
  ready: "#ffca28",
  starting: "#ffb300",
  running: "#43a047",
  complete: "#1e88e5",
  shutdown: "#616161",
  failed: "#e53935",
  rejected: "#b71c1c",
  remove: "#8e24aa",
  orphaned: "#6a1b9a",
};

/** The fill colour of a task state. */
export function taskStateColour(state: string): string {
  return Object.hasOwn(taskStateColours, state) ? taskStateColours[state]! : "#9e9e9e";
}

/** Fill colours of Raft roles, plus `down` (no member running) and `unknown` (not in the trace). */
export const raftStateColours: Readonly<Record<string, string>> = {
  follower: "#90caf9",
  "pre-candidate": "#fff59d",
  candidate: "#ffb74d",
  leader: "#66bb6a",
  down: "#9e9e9e",
  unknown: "#eeeeee",
};

/** The fill colour of a Raft role (or `down`, `unknown`). */
export function raftStateColour(state: string): string {
  return Object.hasOwn(raftStateColours, state) ? raftStateColours[state]! : "#eeeeee";
}

/** A legend: one coloured square and label per entry, left to right from (`xPx`, `yPx`). */
export function legend(entries: ReadonlyArray<readonly [label: string, colour: string]>, xPx: number, yPx: number): string {
  const parts: string[] = [];
  let x = xPx;
  for (const [label, colour] of entries) {
    parts.push(element("rect", { x, y: yPx - 9, width: 10, height: 10, fill: colour, stroke: "#424242", "stroke-width": 0.5 }));
    parts.push(textElement(label, { x: x + 14, y: yPx, "font-size": 10 }));
    x += 22 + label.length * 6;
  }
  return element("g", { class: "legend" }, parts.join(""));
}

/** Orders strings by UTF-16 code units, the same in every locale and runtime (unlike `localeCompare`). */
export function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * A "nice" domain containing `[minimum, maximum]`: widened to whole tick steps at both ends,
 * with its ticks (about `countWanted`), for axes that start and end on a labelled tick.
 */
export function niceDomain(minimum: number, maximum: number, countWanted: number): { minimum: number; maximum: number; ticks: number[] } {
  const inner = niceTicks(minimum, maximum, countWanted);
  if (inner.length < 2) return { minimum, maximum, ticks: inner };
  const step = inner[1]! - inner[0]!;
  const low = Number((Math.floor(minimum / step + 1e-9) * step).toPrecision(12));
  const high = Number((Math.ceil(maximum / step - 1e-9) * step).toPrecision(12));
  return { minimum: low, maximum: high, ticks: niceTicks(low, high, countWanted) };
}
