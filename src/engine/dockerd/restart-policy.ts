/**
 * Restart policies (`--restart no|always|unless-stopped|on-failure[:N]`) and the restart
 * manager's back-off, as moby's restartmanager applies them: the delay starts at 100 ms,
 * doubles on each restart up to one minute, and falls back to 100 ms once a container has run
 * for 10 seconds. A container stopped by hand is never restarted.
 */
import type { ContainerRecord, RestartPolicy } from "./records.js";

/** First restart delay, ms. */
export const restartDelayMsInitial = 100;
/** Longest restart delay, ms. */
export const restartDelayMsMax = 60_000;
/** A container that ran this long restarts with the initial delay again, ms. */
export const restartResetAfterMs = 10_000;

/** Whether a container that just exited (or is found exited at start-up) is restarted by its policy. */
export function shouldRestart(record: ContainerRecord, afterExit: boolean): boolean {
  if (record.hasBeenManuallyStopped) return false;
  const policy = record.hostConfig.RestartPolicy;
  switch (policy.Name) {
    case "always":
    case "unless-stopped":
      return true;
    case "on-failure": {
      const underLimit = policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount;
      return underLimit && record.state.exitCode !== 0 && (afterExit || record.state.exitCode !== 0);
    }
    default:
      return false;
  }
}

/** The next back-off delay, given the previous one (0 for none yet) and how long the container ran. */
export function nextRestartDelayMs(previousDelayMs: number, ranMs: number): number {
  const base = ranMs >= restartResetAfterMs ? 0 : previousDelayMs;
  if (base === 0) return restartDelayMsInitial;
  return Math.min(base * 2, restartDelayMsMax);
}

/** Parses `--restart` values: `no`, `always`, `unless-stopped`, `on-failure[:N]`; Docker's error otherwise. */
export function parseRestartPolicy(text: string): RestartPolicy | string {
  const [name, count, ...rest] = text.split(":");
  if (rest.length > 0) return `invalid restart policy format: maximum retry count must be an integer`;
  switch (name) {
    case "":
    case "no":
    case "always":
    case "unless-stopped":
      if (count !== undefined) return `invalid restart policy format: maximum retry count can only be used with 'on-failure'`;
      return { Name: name === "" ? "no" : name, MaximumRetryCount: 0 };
    case "on-failure": {
      if (count === undefined) return { Name: "on-failure", MaximumRetryCount: 0 };
      if (!/^\d+$/.test(count)) return `invalid restart policy format: maximum retry count must be an integer`;
      return { Name: "on-failure", MaximumRetryCount: Number(count) };
    }
    default:
      return `invalid restart policy format: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  }
}
