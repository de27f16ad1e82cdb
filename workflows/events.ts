import type { EventStream, LogFn } from "../core/index.js";
import type { Emit } from "./context.js";

/**
 * Engine events on the swarm's event stream, beside task events, so `logs`, the
 * TUI and waiters see them. Fields stay flat strings: `executionId`, `workflow`,
 * `step`, `taskId`, …, objects as JSON, plus a `message` a person can read.
 */
export function streamFields(type: string, data: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  const fields: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    fields[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  fields.message = describe(type, data);
  return fields;
}

function describe(type: string, data: Readonly<Record<string, unknown>>): string {
  const text = (key: string): string | null => (typeof data[key] === "string" || typeof data[key] === "number" ? String(data[key]) : null);
  const where = [text("workflow") ?? "workflow", text("step")].filter(Boolean).join("/");
  const details = [
    data.attempt !== undefined && data.attempt !== 1 ? `attempt ${text("attempt")}` : null,
    text("exitCode") !== null ? `exit ${text("exitCode")}` : null,
    data.resumed === true ? "re-adopted" : null,
    text("delayMs") !== null ? `retry in ${text("delayMs")} ms` : null,
    text("approval"),
    text("reason"),
  ].filter((part): part is string => part !== null && part !== "");
  const execution = text("executionId");
  details.push(...(execution === null ? [] : [`execution ${execution}`]));
  return `${where} ${type.replace(/^(workflow|step)\./, "")}${details.length > 0 ? `: ${details.join(" · ")}` : ""}`;
}

/**
 * An Emit that publishes to the stream. A failed publish is logged and never stops
 * the engine; flush() waits for the publishes still under way (before a CLI exits).
 */
export class StreamEmitter {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly events: EventStream,
    private readonly log: LogFn = () => undefined,
  ) {}

  readonly emit: Emit = (type, data) => {
    const published = this.events
      .publish(type, streamFields(type, data))
      .then(
        () => undefined,
        (error: unknown) => this.log("workflow.event.failed", { type, error }),
      )
      .finally(() => this.pending.delete(published));
    this.pending.add(published);
  };

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
