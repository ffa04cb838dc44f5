/**
 * Linux signals by name and number (x86-64), for `tasks.Kill`: a signal is given as a name
 * ("SIGTERM" or "TERM") or a number ("15"), and a process it kills exits with 128 + number.
 */

/** Signal numbers by name, as `kill -l` lists them on Linux x86-64. */
export const signalNumbers: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** Signals whose default action is to do nothing (they never end a process that does not handle them). */
export const ignoredByDefaultSignals: ReadonlySet<string> = new Set(["SIGCHLD", "SIGCONT", "SIGURG", "SIGWINCH"]);

/** A signal in canonical form. */
export interface Signal {
  /** Its name, e.g. "SIGTERM". */
  readonly name: string;
  /** Its number, e.g. 15. */
  readonly number: number;
}

/** Parses "SIGTERM", "TERM" or "15" (any case for names); null when it is no Linux signal. */
export function parseSignal(text: string): Signal | null {
  if (/^[0-9]{1,2}$/.test(text)) {
    const number = Number(text);
    for (const [name, value] of Object.entries(signalNumbers)) if (value === number) return { name, number };
    return null;
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const number = Object.hasOwn(signalNumbers, name) ? signalNumbers[name] : undefined;
  return number === undefined ? null : { name, number };
}
