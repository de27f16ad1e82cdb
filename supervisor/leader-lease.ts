import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import {
  acquireLeader,
  LEADER_LEASE_MS,
  LEADER_POLL_MS,
  LEADER_RENEW_MS,
  releaseLeader,
  renewLeader,
  type Keys,
  type LeaderRecord,
  type LogFn,
} from "../core/index.js";
import { afterRenewal, nextStep, unconfirmed } from "./leader-rules.js";

/** One term of this daemon as the swarm's leader. */
export type LeaderTerm = Pick<LeaderRecord, "token" | "host" | "since">;

export interface LeaderLeaseOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  /** This daemon's host name in swarm.yaml's `hosts:`. */
  readonly host: string;
  /** This daemon won a term: start the control loop. Not awaited: renewals go on while it starts. */
  readonly elected: (term: LeaderTerm) => void;
  /** The term ended (lost, expired, a write refused, or close): stop the control loop now. Called once per term. */
  readonly deposed: (term: LeaderTerm, reason: string) => Promise<void>;
  readonly log?: LogFn;
  readonly leaseMs?: number;
  readonly renewMs?: number;
  /** How often a daemon that does not lead tries to take the lease. */
  readonly pollMs?: number;
  readonly now?: () => number;
}

/**
 * A daemon's candidacy for the leader lease (core/redis/leader.ts): every
 * `renewMs` it renews its term, or, leading nothing, tries to take the lease.
 * One round at a time; a slow Redis delays rounds, never overlaps them.
 */
export class LeaderLease {
  private readonly id = randomUUID();
  private term: LeaderTerm | null = null;
  private confirmedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private round: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly log: LogFn;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.log = options.log ?? (() => undefined);
    this.leaseMs = options.leaseMs ?? LEADER_LEASE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The term this daemon holds, or null. */
  get current(): LeaderTerm | null {
    return this.term;
  }

  /**
   * Runs the first round (so `up` knows whether it leads), then the next one renewMs after each
   * round's end while leading, pollMs while not: a follower looks often, so it takes over soon
   * after a dead leader's lease runs out. Rounds never overlap, however slow Redis is.
   */
  async start(): Promise<void> {
    if (this.started || this.closing !== null) return;
    this.started = true;
    await this.tick();
  }

  /** A fenced write was refused with `token`: that term is over, whatever the lease's rounds think. */
  lost(token: string, reason: string): void {
    if (this.term?.token === token) void this.depose(reason);
  }

  /** Ends the term (the control loop stops first), then gives the lease up so another host takes over at once. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      // A renewal in flight ends within its lease (withinLease); an acquire sent into a silent partition gets no
      // answer until the link heals, and a stopping daemon waited for it as long. A lease later is enough: a term
      // that acquire may still win is given up by play() as this lease closes, or else runs out by itself.
      if (this.round !== null) await withinLease(this.round, this.leaseMs);
      const term = this.term;
      if (term === null) return;
      await this.depose("this daemon is stopping");
      // Not released: another host takes over once the lease runs out.
      const released = await releaseLeader(this.options.redis, this.options.keys, term.token).catch(
        (error: unknown) => (this.log("leader.release-failed", { term: term.token, error }), false),
      );
      this.log("leader.released", { term: term.token, released });
    })();
    return this.closing;
  }

  private tick(): Promise<void> {
    this.timer = null;
    if (this.round !== null || this.closing !== null) return this.round ?? Promise.resolve();
    this.round = this.play()
      .catch((error: unknown) => this.log("leader.round-failed", { error }))
      .finally(() => {
        this.round = null;
        if (this.closing !== null) return;
        const { renewMs = LEADER_RENEW_MS, pollMs = LEADER_POLL_MS } = this.options;
        this.timer = setTimeout(() => void this.tick(), this.term === null ? pollMs : renewMs);
        this.timer.unref();
      });
    return this.round;
  }

  private async play(): Promise<void> {
    const step = nextStep(this.term !== null, this.confirmedAt, this.now(), this.leaseMs);
    if (step.kind === "depose") return this.depose(step.reason);
    const { redis, keys, host } = this.options;
    const sentAt = this.now();
    if (step.kind === "renew" && this.term !== null) {
      const token = this.term.token;
      const answer = await withinLease(renewLeader(redis, keys, this.id, token, this.leaseMs), this.confirmedAt + this.leaseMs - sentAt);
      if (this.term?.token !== token) return; // refused meanwhile
      if (answer === null) return this.depose(unconfirmed(this.now() - this.confirmedAt, this.leaseMs));
      const reason = afterRenewal(answer);
      if (reason === null) this.confirmedAt = sentAt;
      else await this.depose(reason);
      return;
    }
    const result = await acquireLeader(redis, keys, { id: this.id, host }, this.leaseMs);
    if (!result.won) return;
    if (this.closing !== null) return void (await releaseLeader(redis, keys, result.record.token));
    const { token, since } = result.record;
    this.term = { token, host, since };
    this.confirmedAt = sentAt;
    // "term", not "token": the log redacts fields named like secrets.
    this.log("leader.elected", { host, term: token, since: new Date(since).toISOString() });
    this.options.elected(this.term);
  }

  private async depose(reason: string): Promise<void> {
    const term = this.term;
    if (term === null) return;
    this.term = null;
    this.log("leader.deposed", { host: term.host, term: term.token, reason });
    await this.options.deposed(term, reason);
  }
}

/**
 * The renewal's answer, or null once the lease it would extend has run out without one. In a silent partition (a
 * firewall dropping packets) the command gets neither a reply nor an error until the link heals, so a round that
 * only awaited it kept this daemon leading, in its own eyes, for the whole partition (test/hosts/leader-cut.test.ts:
 * 30 s, while another host led from the third). A reply that comes later is not waited for: the term has ended.
 */
async function withinLease<T>(renewal: Promise<T>, remainingMs: number): Promise<T | null> {
  renewal.catch(() => undefined); // when the lease runs out first; otherwise the race below sees the failure
  let timer: NodeJS.Timeout | undefined;
  const lapse = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, remainingMs));
    timer.unref();
  });
  try {
    return await Promise.race([renewal, lapse]);
  } finally {
    clearTimeout(timer);
  }
}
