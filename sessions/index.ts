export { SessionManager, type SessionSpec, type PaneRef } from "./session-manager.js";
export { ensureTmuxServer, killTmuxServer, killStrayTmux, tmuxServerRunning, tmux, HUB_SESSION, tmuxConfig } from "./tmux-server.js";
export { MarkerScanner } from "./marker-scanner.js";
export type { Disposable } from "./emitter.js";
export { shellInForeground, paneVariable } from "./pane-process.js";
export { CastWriter, type CastWriterOptions } from "./cast-writer.js";
