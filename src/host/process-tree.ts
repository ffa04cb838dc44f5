/**
 * A host's processes as `ps -ef --forest` shows them: PID, parent PID and the process name,
 * children indented under their parents. Processes without a parent hang from init (PID 1 of
 * the real machine, not simulated): they show parent PID 1 and start their own trees.
 */
import type { ProcessInfo } from "../sim/process.js";

/** Renders processes (in start order) as an indented tree with PID and PPID columns. */
export function formatProcessTree(processes: readonly ProcessInfo[]): string {
  const byName = new Map(processes.map((process) => [process.name, process]));
  const children = new Map<string | null, ProcessInfo[]>();
  for (const process of processes) {
    const parent = process.parent !== null && byName.has(process.parent) ? process.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), process]);
  }
  const lines = ["  PID  PPID  CMD"];
  const visit = (process: ProcessInfo, depth: number) => {
    const parentPid = process.parent === null ? 1 : byName.get(process.parent)?.pid ?? 1;
    const indent = depth === 0 ? "" : `${"    ".repeat(depth - 1)} \\_ `;
    lines.push(`${String(process.pid).padStart(5)} ${String(parentPid).padStart(5)}  ${indent}${process.name}`);
    for (const child of children.get(process.name) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return lines.join("\n") + "\n";
}
