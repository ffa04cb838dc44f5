/**
 * Tables as the docker CLI prints them (`docker ps`, `images`, `network ls`, `volume ls`,
 * `service ls`, `node ls`): a port of Go's text/tabwriter (elastic tabstops) with the settings
 * of docker/cli's `cli/command/formatter` (minwidth 10, tabwidth 1, padding 3, padchar ' ',
 * no flags). Cells are tab-terminated, so the last cell of a row is never padded, while empty
 * cells before it are (a row whose last cell is empty ends in spaces, as docker's do).
 */
import { displayWidth } from "./text-width.js";

/** The settings of a Go `tabwriter.Writer`. */
export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  readonly minimumWidth: number;
  /** Width of a tab character, used when padding with tabs. */
  readonly tabWidth: number;
  /** Padding added to the widest cell of a column. */
  readonly padding: number;
  /** The padding character: " " or "\t". */
  readonly paddingCharacter: string;
  /** Right-align cell contents (Go's `AlignRight`). */
  readonly alignRight?: boolean;
  /** Drop columns whose cells are all empty and soft-tab terminated (Go's `DiscardEmptyColumns`). */
  readonly discardEmptyColumns?: boolean;
}

/** The tabwriter settings of docker's table formats: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`. */
export const dockerTableOptions: TabwriterOptions = { minimumWidth: 10, tabWidth: 1, padding: 3, paddingCharacter: " " };

/** One cell: its text, its width in columns, and whether a hard tab ended it. */
interface Cell {
  readonly text: string;
  readonly width: number;
  readonly hardTab: boolean;
}

/** Splits text into lines of cells the way tabwriter's Write does (`\t`, `\v` end cells; `\n`, `\f` end lines). */
function splitCells(text: string): Cell[][] {
  const lines: Cell[][] = [[]];
  let current = "";
  for (const character of text) {
    if (character === "\t" || character === "\v" || character === "\n" || character === "\f") {
      const line = lines[lines.length - 1]!;
      line.push({ text: current, width: displayWidth(current), hardTab: character === "\t" });
      current = "";
      if (character === "\n" || character === "\f") lines.push([]);
    } else {
      current += character;
    }
  }
  if (current.length > 0) lines[lines.length - 1]!.push({ text: current, width: displayWidth(current), hardTab: false });
  return lines;
}

/**
 * Formats tab-separated text exactly as Go's `text/tabwriter` would write it and flush it:
 * each tab-terminated cell is padded to its column's width; text after the last tab of a
 * line is written as is.
 */
export function tabwrite(text: string, options: TabwriterOptions = dockerTableOptions): string {
  const lines = splitCells(text);
  const alignRight = options.alignRight === true && options.paddingCharacter !== "\t";
  let output = "";

  const padding = (textWidth: number, cellWidth: number): string => {
    if (options.paddingCharacter === "\t") {
      if (options.tabWidth === 0) return "";
      const roundedWidth = Math.ceil(cellWidth / options.tabWidth) * options.tabWidth;
      return "\t".repeat(Math.ceil((roundedWidth - textWidth) / options.tabWidth));
    }
    return options.paddingCharacter.repeat(cellWidth - textWidth);
  };

  const writeLines = (firstLine: number, endLine: number, widths: readonly number[]): void => {
    for (let index = firstLine; index < endLine; index++) {
      const line = lines[index]!;
      line.forEach((cell, column) => {
        const columnWidth = widths[column];
        if (cell.text.length === 0) {
          if (columnWidth !== undefined) output += padding(cell.width, columnWidth);
        } else if (!alignRight) {
          output += cell.text;
          if (columnWidth !== undefined) output += padding(cell.width, columnWidth);
        } else {
          if (columnWidth !== undefined) output += padding(cell.width, columnWidth);
          output += cell.text;
        }
      });
      if (index + 1 < lines.length) output += "\n";
    }
  };

  const format = (firstLine: number, endLine: number, widths: readonly number[]): void => {
    const column = widths.length;
    let lineStart = firstLine;
    for (let index = firstLine; index < endLine; index++) {
      if (column >= lines[index]!.length - 1) continue;
      writeLines(lineStart, index, widths);
      lineStart = index;
      let width = options.minimumWidth;
      let discardable = true;
      for (; index < endLine; index++) {
        const line = lines[index]!;
        if (column >= line.length - 1) break;
        const cell = line[column]!;
        width = Math.max(width, cell.width + options.padding);
        if (cell.width > 0 || cell.hardTab) discardable = false;
      }
      if (discardable && options.discardEmptyColumns) width = 0;
      format(lineStart, index, [...widths, width]);
      lineStart = index;
    }
    writeLines(lineStart, endLine, widths);
  };

  format(0, lines.length, []);
  return output;
}

/**
 * A docker table: the header row and the rows, cells joined by tabs, each line ending in a
 * newline, formatted with docker's tabwriter settings. With no rows, only the header is printed.
 *
 * `renderTable(["DRIVER", "VOLUME NAME"], [["local", "data"]])` gives
 * `"DRIVER    VOLUME NAME\nlocal     data\n"`.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const text = [headers, ...rows].map((row) => `${row.join("\t")}\n`).join("");
  return tabwrite(text, dockerTableOptions);
}
