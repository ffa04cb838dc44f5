/// <reference types="node" />
/**
 * Node-only: a one-line progress bar for experiments on a terminal, with the rate (seeds per
 * second) and the estimated time left. Silent when its stream is not a TTY (CI logs, pipes,
 * files), and redrawn at most every `progressRedrawIntervalMs`.
 */

/** Bound `progressRedrawIntervalMs`: shortest real time between two redraws, ms. */
export const progressRedrawIntervalMs = 100;
/** Bound `progressBarWidthMax`: most characters of the bar itself. */
export const progressBarWidthMax = 40;
/** Bound `progressLineWidthMax`: most characters of the whole line. */
export const progressLineWidthMax = 200;

/** The part of a writable stream the bar uses. */
export interface ProgressStream {
  /** Whether the stream is a terminal; the bar draws only then. */
  readonly isTTY?: boolean;
  /** Terminal width in characters. */
  readonly columns?: number;
  /** Writes text. */
  write(text: string): unknown;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Total units of work (seeds). */
  readonly total: number;
  /** Text before the bar, e.g. the experiment's name. */
  readonly label?: string;
  /** Where to draw; default `process.stdout`. */
  readonly stream?: ProgressStream;
  /** The real clock in ms; default `performance.now`. */
  readonly nowMs?: () => number;
  /** Unit name for the counts and the rate; default `seeds`. */
  readonly unit?: string;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const minutesSeconds = `${String(minutes).padStart(2, "0")}:${String(rest).padStart(2, "0")}`;
  return hours > 0 ? `${hours}:${minutesSeconds}` : minutesSeconds;
}

/**
 * One progress line: `label [██████░░░░] 420/1000 seeds  42%  123.4 seeds/s  ETA 00:05`, fitted
 * to `columns`.
 *
 * @example
 * ```ts
 * formatProgressLine({ done: 50, total: 100, elapsedMs: 2_000, columns: 80, label: "election" });
 * // "election [█████████████░░░░░░░░░░░░] 50/100 seeds  50%  25.0 seeds/s  ETA 00:02"
 * ```
 */
export function formatProgressLine(state: { done: number; total: number; elapsedMs: number; columns?: number; label?: string; unit?: string }): string {
  const unit = state.unit ?? "seeds";
  const total = Math.max(0, state.total);
  const done = Math.min(Math.max(0, state.done), total);
  const fraction = total === 0 ? 1 : done / total;
  const rate = state.elapsedMs > 0 ? done / (state.elapsedMs / 1000) : 0;
  const etaSeconds = done >= total ? 0 : rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const counts = `${done}/${total} ${unit} ${String(Math.floor(fraction * 100)).padStart(3)}%  ${rate.toFixed(1)} ${unit}/s  ETA ${formatDuration(etaSeconds)}`;
  const label = state.label === undefined || state.label === "" ? "" : `${state.label} `;
  const columns = Math.min(progressLineWidthMax, Math.max(20, state.columns !== undefined && state.columns > 0 ? state.columns : 80));
  const barWidth = Math.min(progressBarWidthMax, columns - label.length - counts.length - 4);
  if (barWidth < 5) return `${label}${counts}`.slice(0, columns - 1);
  const filled = Math.round(fraction * barWidth);
  return `${label}[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${counts}`;
}

/** A progress bar drawn in place on a terminal; does nothing when the stream is not a TTY. */
export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: ProgressStream;
  private readonly nowMs: () => number;
  private readonly unit: string;
  private readonly startMs: number;
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private done = 0;
  private finished = false;

  constructor(options: ProgressBarOptions) {
    this.total = options.total;
    this.label = options.label ?? "";
    this.stream = options.stream ?? process.stdout;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.unit = options.unit ?? "seeds";
    this.startMs = this.nowMs();
  }

  /** Whether the bar draws at all (its stream is a terminal). */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Sets the number of units done, redrawing when the last draw is old enough. */
  update(done: number): void {
    this.done = done;
    if (!this.enabled || this.finished) return;
    const now = this.nowMs();
    if (now - this.lastDrawMs < progressRedrawIntervalMs && done < this.total) return;
    this.lastDrawMs = now;
    this.draw(now);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.draw(this.nowMs());
    this.stream.write("\n");
    this.finished = true;
  }

  private draw(now: number): void {
    const line = formatProgressLine({ done: this.done, total: this.total, elapsedMs: now - this.startMs, label: this.label, unit: this.unit, ...(this.stream.columns === undefined ? {} : { columns: this.stream.columns }) });
    this.stream.write(`\r\x1b[2K${line}`);
  }
}
