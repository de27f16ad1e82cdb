import { watch } from "node:fs";
import { readRegularFile } from "../../../core/index.js";

/**
 * Claude Code writes its transcript a little after the hook that ends a turn
 * (measured: the last message's line may land after the Stop hook), so the
 * tokens and text of the turn are read once the transcript shows them:
 * woken by inotify, bounded by `timeoutMs`, then whatever is there.
 */
export async function settledTranscript(file: string, settled: (text: string) => boolean, timeoutMs: number): Promise<string | null> {
  const read = (): string | null => readRegularFile(file);
  const first = read();
  if (first === null || settled(first)) return first;
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher?.close();
      resolve(read());
    };
    const timer = setTimeout(finish, timeoutMs);
    let watcher: ReturnType<typeof watch> | null = null;
    try {
      watcher = watch(file, () => {
        const text = read();
        if (text !== null && settled(text)) finish();
      });
      watcher.on("error", finish);
    } catch {
      finish();
    }
    // Written between the first read and the watch: look once more.
    const again = read();
    if (again !== null && settled(again)) finish();
  });
}
