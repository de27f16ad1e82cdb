import type { SwarmEvent } from "../../core/index.js";

export interface EventFilter {
  readonly agent?: string;
  readonly task?: string;
  readonly workflow?: string;
  /** Comma-separated types; `task.*` matches a family, `*` everything. */
  readonly type?: string;
}

export type EventPredicate = (event: SwarmEvent) => boolean;

/** A predicate over events; built once per subscriber, run on every event of the stream. */
export function eventPredicate(filter: EventFilter): EventPredicate {
  const types = filter.type?.split(",").filter(Boolean) ?? [];
  const exact = new Set(types.filter((t) => !t.endsWith("*")));
  const families = types.filter((t) => t.endsWith("*")).map((t) => t.slice(0, -1));
  return (event) => {
    const fields = event as SwarmEvent & { executionId?: string };
    if (filter.agent !== undefined && fields.agent !== filter.agent) return false;
    if (filter.task !== undefined && fields.taskId !== filter.task) return false;
    if (filter.workflow !== undefined && fields.executionId !== filter.workflow) return false;
    if (types.length > 0 && !exact.has(event.type) && !families.some((prefix) => event.type.startsWith(prefix))) return false;
    return true;
  };
}

/** Stream ids `ms-seq` in order: true when a comes after b. */
export function isAfter(a: string, b: string): boolean {
  const [am, as] = a.split("-").map(Number) as [number, number];
  const [bm, bs] = b.split("-").map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
}
