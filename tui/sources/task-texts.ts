import { terminalLine } from "../../core/index.js";
import type { Link } from "./swarm-link.js";

/**
 * The text of the tasks sessions are running, read once per task id from its
 * record (one HGET) and forgotten when no session runs it any more.
 */
export class TaskTexts {
  constructor(private readonly texts: Map<string, string>) {}

  async update(link: Link, running: readonly string[]): Promise<void> {
    const wanted = new Set(running);
    for (const id of this.texts.keys()) if (!wanted.has(id)) this.texts.delete(id);
    const missing = [...wanted].filter((id) => !this.texts.has(id));
    if (missing.length === 0) return;
    const values = await link.swarm.client.storedTaskTexts(missing);
    // Stored redacted; someone else's text all the same: one line, nothing a terminal acts on.
    missing.forEach((id, i) =>
      this.texts.set(
        id,
        terminalLine(values[i] ?? "")
          .replace(/\s+/g, " ")
          .trim(),
      ),
    );
  }
}
