// Docker's tables as the replays of real-Docker recordings compare them: split at the header's
// column starts (so that columns whose width follows a relative time still line up), each cell
// trimmed and normalised by its column. Used by test/swarm/single-node-replay.ts and
// test/swarm/multinode-replay.ts.

/** A docker table: its column names and each row's cells. */
export interface DockerTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Splits a docker table at its header's column starts; `cell` normalises each trimmed cell by its column. */
export function splitDockerTable(stdout: string, cell: (text: string, column: string) => string): DockerTable {
  const [header = "", ...lines] = stdout.split("\n").filter((line) => line !== "");
  const columns: string[] = [];
  const starts: number[] = [];
  for (const match of header.matchAll(/\S+(?: \S+)*/g)) {
    columns.push(match[0]);
    starts.push(match.index);
  }
  const rows = lines.map((line) => starts.map((start, index) => cell(line.slice(start, index + 1 < starts.length ? starts[index + 1] : undefined).trim(), columns[index]!)));
  return { columns, rows };
}
