/** What intake and supervision hand tasks to (the dispatch lifecycle); idempotent by task id. */
export interface TaskRunner {
  /**
   * Runs the task to its end, or adopts its run already in a pane; a second call for the same task joins the first.
   * "held": it waits for a person's answer to its policy's `ask`, and its job should leave the worker until then.
   */
  run(taskId: string): Promise<"held" | undefined>;
  /** Cancels the task's run in this bridge; false when it has none. */
  cancel(taskId: string): boolean;
  /** How many runs are in flight. */
  readonly active: number;
}
