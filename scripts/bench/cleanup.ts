/**
 * Everything the bench starts registers how to undo it here, so that a failure,
 * Ctrl-C or SIGTERM still leaves no tmux server, redis-server or temp home behind.
 */
type Step = () => Promise<void> | void;

export class Cleanups {
  private readonly steps: { name: string; step: Step }[] = [];
  private running: Promise<void> | null = null;

  /** Registers a step; returns a function that runs it now (once) and forgets it. */
  add(name: string, step: Step): () => Promise<void> {
    const entry = { name, step };
    this.steps.push(entry);
    return async () => {
      const index = this.steps.indexOf(entry);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await runStep(entry);
    };
  }

  /** Runs every remaining step, newest first; `say` reports each one (after an interruption). */
  runAll(say?: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const entry = this.steps.pop()!;
        say?.(`bench: cleaning up ${entry.name}`);
        await runStep(entry);
      }
    })();
    return this.running;
  }
}

async function runStep(entry: { name: string; step: Step }): Promise<void> {
  try {
    await entry.step();
  } catch (error) {
    process.stderr.write(`bench: cleanup "${entry.name}" failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
