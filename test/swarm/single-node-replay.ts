// What replays of the single-node swarm recordings (test/fixtures/docker/swarm/) share: ids, tokens
// and keys as placeholders in order of appearance, and the recording's host facts as the
// simulation's. Used by test/swarm/autolock.test.ts (through `sim.exec`) and
// test/node/fixtures-real-cli.test.ts (through the real docker binary on the simulated API).

/**
 * Replaces what differs per run (unlock keys, join tokens, 25-character swarm ids) with
 * placeholders numbered in order of first appearance, so that two runs of the same scenario
 * compare equal exactly when the same values appear in the same places.
 */
export class Placeholders {
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, string>();

  normalise(text: string): string {
    return text
      .replace(/SWMKEY-1-[A-Za-z0-9+/]{43}/g, (value) => this.name("key", value))
      .replace(/SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}/g, (value) => this.name("token", value))
      .replace(/\b[0-9a-z]{25}\b/g, (value) => this.name("id", value));
  }

  /** The value a placeholder stands for in this run. */
  value(placeholder: string): string {
    const found = this.values.get(placeholder);
    if (found === undefined) throw new Error(`no value for ${placeholder}`);
    return found;
  }

  /**
   * `text` of the other run with its values turned into this run's: each placeholder becomes this
   * run's value, or, for a value this run has not produced (a made-up key), the other run's, which
   * this run then adopts under the same placeholder.
   */
  translate(text: string, other: Placeholders): string {
    return other.normalise(text).replace(/<(key|token|id)\d+>/g, (placeholder) => {
      if (!this.values.has(placeholder)) {
        const value = other.value(placeholder);
        this.names.set(value, placeholder);
        this.values.set(placeholder, value);
      }
      return this.value(placeholder);
    });
  }

  private name(kind: string, value: string): string {
    let name = this.names.get(value);
    if (name === undefined) {
      name = `<${kind}${[...this.names.values()].filter((existing) => existing.startsWith(`<${kind}`)).length + 1}>`;
      this.names.set(value, name);
      this.values.set(name, value);
    }
    return name;
  }
}

/**
 * The recording's host facts turned into the simulation's: its address, hostname and engine
 * version. A simulation whose host is named `vm`, as the recording machine, keeps the hostname.
 */
export function asSimulated(text: string, hostname = "manager1"): string {
  const renamed = hostname === "vm" ? text : text.replaceAll("vm         ", "manager1   ");
  return renamed.replaceAll("127.0.0.1", "10.0.0.1").replaceAll("20.10.24+dfsg1", "28.2.2");
}
