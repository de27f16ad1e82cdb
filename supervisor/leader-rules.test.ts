import { describe, expect, it } from "vitest";
import { parseLeaderRecord } from "../core/index.js";
import { afterRenewal, nextStep } from "./leader-rules.js";

describe("a candidate's next round", () => {
  it("tries to take the lease while it leads nothing", () => {
    expect(nextStep(false, 0, 10_000, 3_000)).toEqual({ kind: "acquire" });
  });

  it("renews while its last confirmed renewal was sent less than a lease ago", () => {
    expect(nextStep(true, 10_000, 12_999, 3_000)).toEqual({ kind: "renew" });
  });

  it("steps down without asking Redis once a whole lease passed since the last confirmed renewal (a daemon woken from a freeze)", () => {
    expect(nextStep(true, 10_000, 13_000, 3_000)).toEqual({ kind: "depose", reason: "no renewal confirmed for 3000 ms (the lease lasts 3000 ms)" });
    expect(nextStep(true, 10_000, 70_000, 3_000).kind).toBe("depose");
  });
});

describe("what a renewal says about the term", () => {
  const holder = { token: "8", host: "gpu-1", id: "x", pid: 1, since: 0 };

  it("goes on when the lease was still ours", () => {
    expect(afterRenewal({ kind: "renewed" })).toBeNull();
  });

  it("ends when the lease expired, or another host holds it, naming that host and its token", () => {
    expect(afterRenewal({ kind: "expired" })).toBe("the lease expired before it was renewed");
    expect(afterRenewal({ kind: "taken", holder })).toBe("host gpu-1 holds the lease now (token 8)");
    expect(afterRenewal({ kind: "taken", holder: null })).toBe("the lease holds something our daemons do not write");
  });
});

describe("the lease's value as read back", () => {
  it("is a term with its token, host, candidate, pid and start", () => {
    const raw = JSON.stringify({ token: "12", host: "build-1", id: "c-1", pid: 42, since: 1_700_000_000_000 });
    expect(parseLeaderRecord(raw)).toEqual({ token: "12", host: "build-1", id: "c-1", pid: 42, since: 1_700_000_000_000 });
  });

  it("is nothing when it is not what our scripts write (anyone with Redis access can write there)", () => {
    expect(parseLeaderRecord(null)).toBeNull();
    expect(parseLeaderRecord("not json")).toBeNull();
    expect(parseLeaderRecord(JSON.stringify({ token: 12, host: "a", id: "b", since: 1 }))).toBeNull();
    expect(parseLeaderRecord(JSON.stringify({ token: "012", host: "a", id: "b", since: 1 }))).toBeNull();
    expect(parseLeaderRecord(JSON.stringify({ token: "3", host: "a", id: "b" }))).toBeNull();
  });
});
