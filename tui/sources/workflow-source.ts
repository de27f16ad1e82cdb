import { PolledSource } from "./polled-source.js";
import type { LogFn } from "../../core/index.js";
import type { DashboardState, WorkflowStepView, WorkflowView } from "../state.js";
import type { SwarmLink } from "./swarm-link.js";

/** At most this many executions are read per refresh, newest first. */
const SCAN = 50;

/** How long a finished execution stays in the panel, so that one that ends between two glances is still seen. */
export const KEEP_FINISHED_MS = 5 * 60_000;

/** Running executions, and those finished less than KEEP_FINISHED_MS before `now`. */
export function workflowsToShow(workflows: readonly WorkflowView[], now: number): WorkflowView[] {
  return workflows.filter((wf) => wf.status === "running" || (wf.finishedAt !== null && now - Date.parse(wf.finishedAt) < KEEP_FINISHED_MS));
}

/**
 * Running workflow executions and those finished lately, read through the workflow store (the newest
 * documents, unparsed). The engine is built separately, so everything read
 * here is treated as untrusted: a record that does not parse is skipped, not fatal.
 */
export class WorkflowSource extends PolledSource {
  constructor(
    private readonly state: DashboardState,
    private readonly link: SwarmLink,
    private readonly changed: () => void,
    log: LogFn,
    options: { periodMs: number; minIntervalMs: number },
  ) {
    super({ ...options, onError: (error) => log("workflows.error", { error }) });
  }

  protected async read(): Promise<void> {
    const link = this.link.current;
    if (!link) return;
    const texts = await link.workflows.recentDocuments(SCAN);
    const parsed = texts.map((text) => parseExecution(text)).filter((wf): wf is WorkflowView => wf !== null);
    const shown = workflowsToShow(parsed, Date.now());
    const before = JSON.stringify(this.state.workflows);
    this.state.workflows = shown;
    if (JSON.stringify(shown) !== before) this.changed();
  }
}

/** Reads one stored execution defensively; null when it is not what we expect. */
export function parseExecution(text: string | null): WorkflowView | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(raw) || typeof raw.id !== "string" || typeof raw.status !== "string") return null;
  const states = isObject(raw.steps) ? raw.steps : {};
  const declared = isObject(raw.definition) && Array.isArray(raw.definition.steps) ? raw.definition.steps : [];
  const order = declared.map((s) => (isObject(s) && typeof s.id === "string" ? s.id : null)).filter((id): id is string => id !== null);
  for (const id of Object.keys(states)) if (!order.includes(id)) order.push(id);
  const steps: WorkflowStepView[] = order.map((id) => {
    const step = states[id];
    return {
      id,
      status: isObject(step) && typeof step.status === "string" ? step.status : "pending",
      agent: isObject(step) && typeof step.agent === "string" ? step.agent : null,
    };
  });
  const name =
    typeof raw.workflow === "string" ? raw.workflow : isObject(raw.definition) && typeof raw.definition.name === "string" ? raw.definition.name : "workflow";
  const finishedAt = typeof raw.finishedAt === "string" ? raw.finishedAt : null;
  return { id: raw.id, workflow: name, status: raw.status, steps, finishedAt };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
