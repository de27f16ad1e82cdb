import type { Redis } from "ioredis";
import type { Keys, Ledger } from "../core/index.js";

/**
 * What sits under a SwarmClient's public surface: its Redis connection, the
 * task ledger, the swarm's keys. The daemon's parts (workflow service, API,
 * history writer) and the CLI's administrative commands need them; the SDK
 * does not, so the package's index.ts never exports `clientInternals`, and a
 * SwarmClient has no public field that holds them.
 */
export interface ClientInternals {
  readonly redis: Redis;
  readonly ledger: Ledger;
  readonly keys: Keys;
  /** A new connection for blocking reads (the caller closes it). */
  readonly connectBlocking: () => Redis;
}

const handles = new WeakMap<object, ClientInternals>();

/** Called by SwarmClient's constructor only. */
export function registerInternals(client: object, internals: ClientInternals): void {
  handles.set(client, internals);
}

/** The internals of a client built by this process (not part of the SDK). */
export function clientInternals(client: object): ClientInternals {
  const internals = handles.get(client);
  if (!internals) throw new TypeError("not a SwarmClient of this process");
  return internals;
}
