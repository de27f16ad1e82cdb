/**
 * Dependency cycles, each as a path in the order things would run:
 * `["test", "build", "test"]` when build depends on test and test on build.
 * Dependencies on unknown ids are ignored here (parse.ts reports those).
 */
export interface Node {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

export function findCycles(nodes: readonly Node[]): string[][] {
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) dependents.get(dep)?.push(node.id);
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();

  const visit = (id: string): void => {
    state.set(id, "open");
    stack.push(id);
    for (const next of dependents.get(id) ?? []) {
      const mark = state.get(next);
      if (mark === "open") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...new Set(cycle)].sort().join("\n");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (mark === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, "done");
  };

  for (const node of nodes) if (!state.has(node.id)) visit(node.id);
  return cycles;
}

/** All transitive dependencies of every node; well defined even when there are cycles. */
export function ancestors(nodes: readonly Node[]): Map<string, ReadonlySet<string>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const result = new Map<string, ReadonlySet<string>>();
  for (const node of nodes) {
    const found = new Set<string>();
    const queue = [...node.dependsOn];
    for (let dep = queue.shift(); dep !== undefined; dep = queue.shift()) {
      const next = byId.get(dep);
      if (next === undefined || found.has(dep)) continue;
      found.add(dep);
      queue.push(...next.dependsOn);
    }
    result.set(node.id, found);
  }
  return result;
}
