import type { Widgets } from "blessed";

/**
 * Hands the terminal to `tmux attach` on the swarm's server: blessed leaves
 * the alternate screen, stops reading keys and restores cooked mode; when
 * tmux exits (the user detached), blessed takes the terminal back and
 * redraws, and `back` runs.
 */
export function attachInTerminal(
  screen: Widgets.Screen,
  socket: string,
  session: string,
  back: (outcome: { code: number | null; error?: Error }) => void,
): void {
  const env = { ...process.env };
  // We may run inside tmux ourselves: attaching to another server from there is what the user asked for.
  delete env.TMUX;
  const child = screen.spawn("tmux", ["-S", socket, "attach-session", "-t", `=${session}`], { env } as never);
  let done = false;
  const finish = (code: number | null, error?: Error) => {
    if (done) return;
    done = true;
    back({ code, error });
  };
  child.on("exit", (code) => finish(code));
  child.on("error", (error) => finish(null, error));
}
