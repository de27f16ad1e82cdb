/** Small text formatting shared by the views. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function clock(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString();
}

/** A session's state as a person reads it: taken over and needs input are told apart from plain busy; lost (its host died with a task) from down. */
export function stateLabel(state: string, needsInput: string | null | undefined, takenOver?: { readonly by: string }): string {
  if (takenOver) return "taken over";
  if (needsInput) return "needs input";
  if (state === "busy") return "working";
  return state;
}
