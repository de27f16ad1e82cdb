/**
 * What happens when the reader of our output goes away (`claude-agent … | head -1`). A short command
 * just exits (cli/main.ts); the daemon (`up` in the foreground) must stop cleanly instead, releasing its
 * home and removing its pid file, so it registers a handler here. Kept apart from main.ts so that the
 * daemon can reach it without main.ts importing any command.
 */
let handler: (() => void) | null = null;

/** Sets the handler until the returned function is called. */
export function onStdoutClosed(fn: () => void): () => void {
  handler = fn;
  return () => {
    if (handler === fn) handler = null;
  };
}

/** Called by main.ts on EPIPE: true when a handler took care of it (then the process must not exit yet). */
export function stdoutClosed(): boolean {
  if (!handler) return false;
  handler();
  return true;
}
