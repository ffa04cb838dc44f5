/**
 * Safety checkers for a running Raft group (Raft paper Figure 3). They see only what members
 * expose: each member's status and the Readies it hands out (persisted entries, snapshots,
 * committed entries), fed after the Ready was persisted. Each broken property becomes a
 * {@link RaftViolation} value naming the property, the members, indexes and terms involved.
 *
 * Logs are tracked as hash chains: an entry's chain digest covers it and every entry before
 * it, so "same index and term implies identical prefixes" (Log Matching) is one comparison.
 */
import { boundExceeded } from "../../sim/errors.js";
import { hashText } from "../../sim/hash.js";
import type { LogEntry, RaftStatus, Ready } from "./types.js";

/** The safety properties of Raft (Figure 3). */
export type RaftProperty = "election-safety" | "leader-append-only" | "log-matching" | "leader-completeness" | "state-machine-safety";

/** One broken property. */
export interface RaftViolation {
  /** Which property. */
  readonly property: RaftProperty;
  /** The members involved. */
  readonly members: readonly string[];
  /** The log index involved, when one is. */
  readonly index?: number;
  /** The term involved. */
  readonly term: number;
  /** A readable explanation. */
  readonly detail: string;
}

/** Bounds of a checker. */
export interface RaftCheckerOptions {
  /** Most violations kept (later ones are counted, not kept). Default 100. */
  readonly violationsMax?: number;
  /** Most (index, term) pairs and committed indexes tracked; exceeding it stops the run. Default 10_000_000. */
  readonly trackedEntriesMax?: number;
}

/** One member's log as the checker mirrors it: the chain digest of each index from `baseIndex`. */
interface ShadowLog {
  /** The index of the snapshot the log starts after. */
  baseIndex: number;
  /** `chains[k]` and `terms[k]` describe index `baseIndex + k` (k = 0 is the snapshot point). */
  chains: string[];
  /** Terms, parallel to `chains`. */
  terms: number[];
}

/** A committed entry as first reported. */
interface CommittedRecord {
  readonly term: number;
  readonly chain: string;
  readonly member: string;
  /** An upper bound on the term in which the entry was committed: the reporter's term when it applied it. */
  readonly commitTermBound: number;
}

function entryText(entry: LogEntry): string {
  let data: string;
  try {
    data = JSON.stringify(entry.data) ?? "undefined";
  } catch {
    data = String(entry.data);
  }
  return `${entry.term}|${entry.index}|${entry.kind}|${data}`;
}

/** Checks Election Safety, Leader Append-Only, Log Matching, Leader Completeness and State Machine Safety, continuously. */
export class RaftSafetyChecker {
  /** Violations found so far, oldest first; at most `violationsMax`. */
  readonly violations: RaftViolation[] = [];
  /** All violations found, kept or not. */
  violationCount = 0;
  private readonly violationsMax: number;
  private readonly trackedEntriesMax: number;
  /** The leader seen for each term. */
  private readonly leaderOfTerm = new Map<number, string>();
  /** The chain digest seen for each "index:term". */
  private readonly chainOf = new Map<string, { readonly chain: string; readonly member: string }>();
  /** Each member's mirrored log. */
  private readonly shadows = new Map<string, ShadowLog>();
  /** The last status seen of each member. */
  private readonly lastStatus = new Map<string, RaftStatus>();
  /** Committed entries by index. */
  private readonly committed = new Map<number, CommittedRecord>();
  /** The last chain digest computed for each entry object, with the digest it followed (entries die with the logs holding them). */
  private readonly chainByEntry = new WeakMap<LogEntry, { readonly previous: string; readonly chain: string }>();

  /** @param options - bounds. */
  constructor(options: RaftCheckerOptions = {}) {
    this.violationsMax = options.violationsMax ?? 100;
    this.trackedEntriesMax = options.trackedEntriesMax ?? 10_000_000;
  }

  /** Whether no property was broken so far. */
  get ok(): boolean {
    return this.violationCount === 0;
  }

  /**
   * Feeds what `member` handed out: its Ready (once persisted; null when only the status
   * changed) and its status right after. Call for every Ready of every member, in order.
   */
  observe(member: string, ready: Ready | null, status: RaftStatus): void {
    const previous = this.lastStatus.get(member);
    const shadow = this.shadowOf(member);
    if (ready !== null) {
      if (ready.snapshot !== null && ready.restoreStateMachine) this.restoreShadow(shadow, ready.snapshot.index, ready.snapshot.term);
      if (ready.entries.length > 0) this.appendToShadow(member, shadow, ready.entries, previous, status);
      for (const entry of ready.committedEntries) this.recordCommitted(member, shadow, entry, status.term);
    }
    this.lastStatus.set(member, status);
    if (status.state === "leader") {
      const known = this.leaderOfTerm.get(status.term);
      if (known === undefined) this.leaderOfTerm.set(status.term, member);
      else if (known !== member) {
        this.report({ property: "election-safety", members: [known, member], term: status.term, detail: `two leaders in term ${status.term}: ${known} and ${member}` });
      }
      const newLeader = previous === undefined || previous.state !== "leader" || previous.term !== status.term;
      if (newLeader) {
        for (const [index, record] of this.committed) this.checkLeaderHas(member, shadow, status.term, index, record);
      }
    }
  }

  private shadowOf(member: string): ShadowLog {
    let shadow = this.shadows.get(member);
    if (shadow === undefined) {
      shadow = { baseIndex: 0, chains: [""], terms: [0] };
      this.shadows.set(member, shadow);
    }
    return shadow;
  }

  private restoreShadow(shadow: ShadowLog, index: number, term: number): void {
    shadow.baseIndex = index;
    shadow.chains = [this.chainOf.get(`${index}:${term}`)?.chain ?? `snapshot:${index}:${term}`];
    shadow.terms = [term];
  }

  private appendToShadow(member: string, shadow: ShadowLog, entries: readonly LogEntry[], previous: RaftStatus | undefined, status: RaftStatus): void {
    const first = entries[0]!;
    const shadowLastIndex = shadow.baseIndex + shadow.chains.length - 1;
    const wasLeaderThroughout = previous !== undefined && previous.state === "leader" && status.state === "leader" && previous.term === status.term;
    if (first.index <= shadowLastIndex && wasLeaderThroughout) {
      this.report({
        property: "leader-append-only",
        members: [member],
        index: first.index,
        term: status.term,
        detail: `leader ${member} of term ${status.term} rewrote its log from index ${first.index} (last was ${shadowLastIndex})`,
      });
    }
    if (first.index - 1 < shadow.baseIndex || first.index - 1 > shadowLastIndex) {
      // Not contiguous with what was seen (the checker started late): restart the mirror here.
      this.restoreShadow(shadow, first.index - 1, -1);
    }
    const keep = first.index - shadow.baseIndex;
    shadow.chains.length = keep;
    shadow.terms.length = keep;
    if (keep + entries.length > this.trackedEntriesMax) boundExceeded("trackedEntriesMax", this.trackedEntriesMax, `Raft checker mirror of ${member}'s log`);
    let chain = shadow.chains[keep - 1]!;
    for (const entry of entries) {
      chain = this.chainAfter(chain, entry);
      shadow.chains.push(chain);
      shadow.terms.push(entry.term);
      const key = `${entry.index}:${entry.term}`;
      const seen = this.chainOf.get(key);
      if (seen === undefined) {
        if (this.chainOf.size >= this.trackedEntriesMax) boundExceeded("trackedEntriesMax", this.trackedEntriesMax, "Raft checker entries");
        this.chainOf.set(key, { chain, member });
      } else if (seen.chain !== chain) {
        this.report({
          property: "log-matching",
          members: [seen.member, member],
          index: entry.index,
          term: entry.term,
          detail: `${seen.member} and ${member} both hold an entry at index ${entry.index} of term ${entry.term}, but their logs differ up to it`,
        });
      }
    }
  }

  /**
   * The chain digest of `entry` following `previous`. Members of a simulated group hold the very
   * same entry objects (messages are not copied), so the digest the first member computed is
   * reused by the others when they chain it after the same digest: it is a function of the two
   * (an entry is never changed once appended).
   */
  private chainAfter(previous: string, entry: LogEntry): string {
    const known = this.chainByEntry.get(entry);
    if (known !== undefined && known.previous === previous) return known.chain;
    const chain = hashText(`${previous}#${entryText(entry)}`);
    this.chainByEntry.set(entry, { previous, chain });
    return chain;
  }

  private chainAt(shadow: ShadowLog, index: number): { readonly chain: string; readonly term: number } | null {
    const offset = index - shadow.baseIndex;
    if (offset < 0 || offset >= shadow.chains.length) return null;
    return { chain: shadow.chains[offset]!, term: shadow.terms[offset]! };
  }

  private recordCommitted(member: string, shadow: ShadowLog, entry: LogEntry, memberTerm: number): void {
    const chain = this.chainAt(shadow, entry.index)?.chain ?? `unseen:${entryText(entry)}`;
    const known = this.committed.get(entry.index);
    if (known === undefined) {
      if (this.committed.size >= this.trackedEntriesMax) boundExceeded("trackedEntriesMax", this.trackedEntriesMax, "Raft checker committed entries");
      const record: CommittedRecord = { term: entry.term, chain, member, commitTermBound: memberTerm };
      this.committed.set(entry.index, record);
      for (const [leader, status] of this.lastStatus) {
        if (status.state === "leader") this.checkLeaderHas(leader, this.shadowOf(leader), status.term, entry.index, record);
      }
      return;
    }
    if (known.term !== entry.term || known.chain !== chain) {
      this.report({
        property: "state-machine-safety",
        members: [known.member, member],
        index: entry.index,
        term: entry.term,
        detail: `${known.member} applied an entry of term ${known.term} at index ${entry.index}; ${member} applied a different one of term ${entry.term}`,
      });
    }
  }

  /** Leader Completeness: a leader of a term after the commit holds the committed entry. */
  private checkLeaderHas(leader: string, shadow: ShadowLog, leaderTerm: number, index: number, record: CommittedRecord): void {
    if (leaderTerm <= record.commitTermBound || index < shadow.baseIndex) return;
    const held = this.chainAt(shadow, index);
    if (held !== null && held.term === record.term && (held.chain === record.chain || index === shadow.baseIndex)) return;
    this.report({
      property: "leader-completeness",
      members: [leader, record.member],
      index,
      term: leaderTerm,
      detail: `leader ${leader} of term ${leaderTerm} lacks the entry of term ${record.term} at index ${index} committed (by term ${record.commitTermBound}) as ${record.member} applied it`,
    });
  }

  private report(violation: RaftViolation): void {
    this.violationCount++;
    if (this.violations.length < this.violationsMax) this.violations.push(violation);
  }
}
