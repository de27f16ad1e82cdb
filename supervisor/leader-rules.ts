import type { RenewResult } from "../core/index.js";

/** What a candidate does at its next round: try to take the lease, renew its own, or give up a term it can no longer vouch for. */
export type LeaseStep = { readonly kind: "acquire" } | { readonly kind: "renew" } | { readonly kind: "depose"; readonly reason: string };

/**
 * `confirmedAt`: when the request behind the last confirmed take or renewal was SENT, by this
 * process's clock. Redis set the TTL on receiving it, so the lease lives at least until
 * `confirmedAt + leaseMs`: past that, another host may hold it, and this one must stop
 * leading without waiting to hear from Redis (a frozen daemon wakes up here first).
 */
export function nextStep(leading: boolean, confirmedAt: number, now: number, leaseMs: number): LeaseStep {
  if (!leading) return { kind: "acquire" };
  const silent = now - confirmedAt;
  if (silent >= leaseMs) return { kind: "depose", reason: unconfirmed(silent, leaseMs) };
  return { kind: "renew" };
}

/** Why a term ended when no renewal was confirmed within its lease. */
export function unconfirmed(silentMs: number, leaseMs: number): string {
  return `no renewal confirmed for ${silentMs} ms (the lease lasts ${leaseMs} ms)`;
}

/** Why a term ended, from what a renewal found (null: it goes on). */
export function afterRenewal(result: RenewResult): string | null {
  if (result.kind === "renewed") return null;
  if (result.kind === "expired") return "the lease expired before it was renewed";
  const holder = result.holder;
  return holder ? `host ${holder.host} holds the lease now (token ${holder.token})` : "the lease holds something our daemons do not write";
}
