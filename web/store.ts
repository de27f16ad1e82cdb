/**
 * The page's state: the swarm's status and recent tasks, refreshed from the
 * API whenever the event stream says something changed. Refreshes coalesce
 * and never overlap (a burst of a thousand events costs a few requests, not
 * a thousand). "Time in state" is measured from when the page saw a session
 * change state; for a state that was already there when the page loaded, the
 * time is a lower bound and shown as such.
 */
import { api } from "./http.js";
import { LiveEvents, type LiveState } from "./live.js";
import type { InboxItem, SessionInfo, StatusView, SwarmEvent, TaskSummary } from "./types.js";

export interface Since {
  readonly key: string;
  readonly at: number;
  /** false: the state was already there when the page loaded (the real start is earlier). */
  readonly exact: boolean;
}

export interface State {
  readonly session: SessionInfo;
  readonly status: StatusView | null;
  readonly tasks: readonly TaskSummary[];
  /** Open items of the "needs you" inbox, oldest first. */
  readonly inbox: readonly InboxItem[];
  readonly live: LiveState;
  readonly since: ReadonlyMap<string, Since>;
  readonly error: string | null;
  /** The newest events received, newest first (at most MAX_EVENTS). */
  readonly events: readonly SwarmEvent[];
  /** Bumped on every task event, so that an open task detail can reload. */
  readonly taskEpoch: number;
  /** Bumped on every workflow and step event, so that the Workflows view can reload. */
  readonly workflowEpoch: number;
}

const MIN_INTERVAL_MS = 250;
const MAX_EVENTS = 50;

/**
 * Read only by `npm run bench` (scripts/bench/web.ts), as `window.__claudeAgentStats`: how many
 * events of the stream the page has applied, and the id of the last, to measure how fast the
 * page keeps up with a burst. Nothing in the page reads it.
 */
const stats = { events: 0, lastId: "" };
(globalThis as { __claudeAgentStats?: typeof stats }).__claudeAgentStats = stats;

export class Store {
  private state: State;
  private readonly listeners = new Set<(state: State) => void>();
  private readonly events: LiveEvents;
  private refreshing = false;
  private dirty = false;
  private loaded = false;

  constructor(session: SessionInfo) {
    this.state = { session, status: null, tasks: [], inbox: [], events: [], live: "connecting", since: new Map(), error: null, taskEpoch: 0, workflowEpoch: 0 };
    this.events = new LiveEvents(
      (event) => this.onEvent(event),
      (live) => {
        this.set({ live });
        if (live === "live") this.refresh();
      },
    );
  }

  get current(): State {
    return this.state;
  }

  subscribe(listener: (state: State) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the newest events, then streams from the last of them: no event falls between the two. */
  start(): void {
    this.refresh();
    api<{ events: SwarmEvent[]; lastId: string }>("GET", `/v1/events/history?limit=${MAX_EVENTS}`)
      .then((history) => {
        this.set({ events: [...history.events].reverse() });
        this.events.start(history.lastId || null);
      })
      .catch(() => this.events.start());
  }

  close(): void {
    this.events.close();
  }

  /** Asks for fresh status and tasks; calls during a refresh fold into one more. */
  refresh(): void {
    if (this.refreshing) {
      this.dirty = true;
      return;
    }
    this.refreshing = true;
    void this.load().finally(() => {
      setTimeout(() => {
        this.refreshing = false;
        if (this.dirty) {
          this.dirty = false;
          this.refresh();
        }
      }, MIN_INTERVAL_MS);
    });
  }

  private async load(): Promise<void> {
    try {
      const [status, page, inbox] = await Promise.all([
        api<StatusView>("GET", "/v1/status"),
        api<{ tasks: TaskSummary[] }>("GET", "/v1/tasks?limit=100"),
        api<{ items: InboxItem[] }>("GET", "/v1/inbox"),
      ]);
      this.set({ status, tasks: page.tasks, inbox: inbox.items, since: this.nextSince(status), error: null });
      this.loaded = true;
    } catch (error) {
      this.set({ error: (error as Error).message });
    }
  }

  private nextSince(status: StatusView): Map<string, Since> {
    const next = new Map<string, Since>();
    const now = Date.now();
    for (const agent of status.agents) {
      for (const session of agent.sessions) {
        const key = `${session.state}:${session.currentTask ?? ""}:${session.needsInput ?? ""}`;
        const before = this.state.since.get(session.name);
        next.set(session.name, before && before.key === key ? before : { key, at: now, exact: this.loaded && before !== undefined });
      }
    }
    return next;
  }

  private onEvent(event: SwarmEvent): void {
    stats.events++;
    stats.lastId = event.id;
    this.set({ events: [event, ...this.state.events].slice(0, MAX_EVENTS) });
    if (event.type.startsWith("task.")) this.set({ taskEpoch: this.state.taskEpoch + 1 });
    if (event.type.startsWith("workflow.") || event.type.startsWith("step.")) this.set({ workflowEpoch: this.state.workflowEpoch + 1 });
    if (event.type !== "audit") this.refresh();
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}
