/**
 * The runtime names a swarm.yaml may use: the built-in ones and those added
 * by `registerRuntime` (agents/registry.ts) before the config is read. The
 * config's validation asks here, so its error lists every name it accepts.
 */
import { ConfigError } from "../errors.js";
import { RUNTIMES, type RegisteredRuntime, type Runtime } from "./types.js";

/** A runtime's name: it becomes part of file and folder names and of error messages. */
const RUNTIME_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const registered = new Set<RegisteredRuntime>();

/** Adds a runtime's name; throws on a malformed name or one already taken. */
export function addRuntimeName(name: string): RegisteredRuntime {
  if (!RUNTIME_NAME.test(name)) {
    throw new ConfigError([`runtime name ${JSON.stringify(name)}: expected lowercase letters, digits and "-", starting with a letter (at most 32)`]);
  }
  if (isKnownRuntime(name)) {
    throw new ConfigError([`runtime ${JSON.stringify(name)} is already registered`], { hint: `runtimes are ${knownRuntimes().join(", ")}` });
  }
  const runtime = name as RegisteredRuntime;
  registered.add(runtime);
  return runtime;
}

/** Every runtime a swarm.yaml may name, the built-in ones first. */
export function knownRuntimes(): readonly Runtime[] {
  return [...RUNTIMES, ...registered];
}

export function isKnownRuntime(value: unknown): value is Runtime {
  return typeof value === "string" && ((RUNTIMES as readonly string[]).includes(value) || registered.has(value as RegisteredRuntime));
}
