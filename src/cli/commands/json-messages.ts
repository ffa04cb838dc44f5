/**
 * The progress display of `docker pull` (and of the pull inside `docker run`/`create`): a port
 * of moby's `pkg/jsonmessage` as the docker CLI 28.2.2 vendors it. Without a terminal, only
 * messages without a progress bar are printed, one line each ("Pulling fs layer", "Pull
 * complete"); on a terminal every layer keeps one line that is redrawn in place with
 * cursor-up / erase-line / cursor-down escapes (aec's `ESC[nA`, `ESC[2K`, `ESC[nB`).
 */
import { humanSize } from "../units.js";
import type { EngineJson } from "../../engine/client.js";
import { formatTime } from "../../sim/calendar.js";

/** How the messages are displayed. */
export interface JsonMessageDisplayOptions {
  /** The output is a terminal: progress bars and in-place redraws. */
  readonly terminal: boolean;
  /** The terminal width (progress bars need more than 110 columns, time left more than 50). */
  readonly columns: number;
  /** The wall-clock time in ms since the epoch, for the time-left estimate. */
  readonly nowWallMs: number;
}

/** The displayed text, and the error message that ended the stream (a message with `errorDetail`), if any. */
export interface JsonMessageDisplay {
  readonly text: string;
  readonly error: string | null;
}

/** The width Go's `JSONProgress.width` assumes when the output is not a terminal. */
const nonTerminalWidth = 200;

/** aec's `EraseLine(EraseModes.All)`. */
const eraseLine = "\x1b[2K";

/** aec's `Up(n)`: empty for 0. */
function cursorUp(lines: number): string {
  return lines === 0 ? "" : `\x1b[${lines}A`;
}

/** aec's `Down(n)`: empty for 0. */
function cursorDown(lines: number): string {
  return lines === 0 ? "" : `\x1b[${lines}B`;
}

/** Go's `fmt.Sprintf("%8v", text)`: right-aligned in 8 columns. */
function padLeft8(text: string): string {
  return text.padStart(8);
}

/** Go's `time.Duration.String()` for a whole number of seconds: `0s`, `45s`, `2m0s`, `1h2m3s`. */
export function goDurationSeconds(totalSeconds: number): string {
  if (totalSeconds === 0) return "0s";
  const negative = totalSeconds < 0;
  let rest = Math.abs(totalSeconds);
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  let text = `${seconds}s`;
  if (hours > 0 || minutes > 0) text = `${minutes}m${text}`;
  if (hours > 0) text = `${hours}h${text}`;
  return negative ? `-${text}` : text;
}

/** A number field of a progress detail (Go's int64 zero when absent). */
function numberField(detail: EngineJson, key: string): number {
  const value = detail[key];
  return typeof value === "number" ? value : 0;
}

/** moby's `JSONProgress.String()`. */
export function progressText(detail: EngineJson, width: number, nowWallMs: number): string {
  const current = numberField(detail, "current");
  const total = numberField(detail, "total");
  const start = numberField(detail, "start");
  const unitsName = typeof detail.units === "string" ? detail.units : "";
  const hideCounts = detail.hidecounts === true;
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return unitsName === "" ? padLeft8(humanSize(current)) : `${current} ${unitsName}`;
  let percentage = Math.trunc(Math.trunc((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let bar = "";
  if (width > 110) bar = `[${"=".repeat(Math.max(0, percentage))}>${" ".repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = "";
  if (!hideCounts) {
    if (unitsName === "") {
      numbers = current > total ? padLeft8(humanSize(current)) : `${padLeft8(humanSize(current))}/${humanSize(total)}`;
    } else {
      numbers = current > total ? `${current} ${unitsName}` : `${current}/${total} ${unitsName}`;
    }
  }
  let timeLeft = "";
  if (width > 50 && current > 0 && start > 0 && percentage < 50) {
    const fromStartNanoseconds = (nowWallMs - start * 1000) * 1e6;
    const perEntryNanoseconds = Math.trunc(fromStartNanoseconds / current);
    const leftNanoseconds = (total - current) * perEntryNanoseconds;
    // Go's Duration.Round(time.Second): halves away from zero.
    const leftSeconds = Math.sign(leftNanoseconds) * Math.floor(Math.abs(leftNanoseconds) / 1e9 + 0.5);
    timeLeft = ` ${goDurationSeconds(leftSeconds)}`;
  }
  return bar + numbers + timeLeft;
}

/** A string field of a message, "" when absent. */
function stringField(message: EngineJson, key: string): string {
  const value = message[key];
  return typeof value === "string" ? value : "";
}

/** The progress detail of a message: present (even empty) when the message has `progressDetail`. */
function progressDetailOf(message: EngineJson): EngineJson | null {
  const detail = message.progressDetail;
  return typeof detail === "object" && detail !== null ? (detail as EngineJson) : null;
}

/** `RFC3339NanoFixed` of a time in nanoseconds since the epoch (UTC). */
function fixedTimestamp(epochNanoseconds: number): string {
  const text = formatTime(Math.floor(epochNanoseconds / 1e6), 3, false);
  const nanosecondDigits = String(Math.round(epochNanoseconds % 1e9)).padStart(9, "0");
  return `${text.slice(0, 19)}.${nanosecondDigits}Z`;
}

/**
 * Renders a stream of JSON messages as `DisplayJSONMessagesStream` writes them. Stops at the
 * first message carrying `errorDetail` and returns its message as `error`.
 */
export function displayJsonMessages(messages: readonly EngineJson[], options: JsonMessageDisplayOptions): JsonMessageDisplay {
  const { terminal } = options;
  const width = terminal ? options.columns : nonTerminalWidth;
  let ids = new Map<string, number>();
  let text = "";
  for (const message of messages) {
    if (message.aux !== undefined && message.aux !== null) continue;
    const id = stringField(message, "id");
    const progress = progressDetailOf(message);
    const progressMessage = stringField(message, "progress");
    let difference = 0;
    if (id !== "" && (progress !== null || progressMessage !== "")) {
      let line = ids.get(id);
      if (line === undefined) {
        line = ids.size;
        ids.set(id, line);
        if (terminal) text += "\n";
      }
      difference = ids.size - line;
      if (terminal) text += cursorUp(difference);
    } else {
      ids = new Map();
    }
    const displayed = displayOne(message, progress, progressMessage, id, terminal, width, options.nowWallMs);
    text += displayed.text;
    if (id !== "" && terminal) text += cursorDown(difference);
    if (displayed.error !== null) return { text, error: displayed.error };
  }
  return { text, error: null };
}

/** moby's `JSONMessage.Display` for one message. */
function displayOne(
  message: EngineJson,
  progress: EngineJson | null,
  progressMessage: string,
  id: string,
  terminal: boolean,
  width: number,
  nowWallMs: number,
): JsonMessageDisplay {
  const errorDetail = message.errorDetail;
  if (typeof errorDetail === "object" && errorDetail !== null) {
    const errorMessage = (errorDetail as EngineJson).message;
    return { text: "", error: typeof errorMessage === "string" ? errorMessage : "" };
  }
  const stream = stringField(message, "stream");
  const status = stringField(message, "status");
  let text = "";
  let lineEnd = "";
  if (terminal && stream === "" && progress !== null) {
    text += `${eraseLine}\r`;
    lineEnd = "\r";
  } else if (progress !== null && progressText(progress, width, nowWallMs) !== "") {
    return { text: "", error: null };
  }
  const timeNano = typeof message.timeNano === "number" ? message.timeNano : 0;
  const time = typeof message.time === "number" ? message.time : 0;
  if (timeNano !== 0) text += `${fixedTimestamp(timeNano)} `;
  else if (time !== 0) text += `${fixedTimestamp(time * 1e9)} `;
  if (id !== "") text += `${id}: `;
  const from = stringField(message, "from");
  if (from !== "") text += `(from ${from}) `;
  if (progress !== null && terminal) text += `${status} ${progressText(progress, width, nowWallMs)}${lineEnd}`;
  else if (progressMessage !== "") text += `${status} ${progressMessage}${lineEnd}`;
  else if (stream !== "") text += `${stream}${lineEnd}`;
  else text += `${status}${lineEnd}\n`;
  return { text, error: null };
}
