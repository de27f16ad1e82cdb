/**
 * The page's entry: with a session cookie, the dashboard; without one, the
 * login page (logging in at once when the address carries `#code=…`).
 */
import { h, render } from "preact";
import "./style.css";
import { api, ApiError, setCsrf } from "./http.js";
import { Store } from "./store.js";
import type { SessionInfo } from "./types.js";
import { App } from "./views/app.js";
import { Login } from "./views/login.js";

const root = document.getElementById("app")!;
let store: Store | null = null;

function showApp(session: SessionInfo): void {
  setCsrf(session.csrf);
  store?.close();
  store = new Store(session);
  store.start();
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/agents");
  render(h(App, { store, onLogout: logout }), root);
}

function showLogin(code: string, error: string | null): void {
  store?.close();
  store = null;
  render(h(Login, { initialCode: code, initialError: error, onLogin: showApp }), root);
}

async function logout(): Promise<void> {
  await api("POST", "/web/logout").catch(() => undefined); // the login screen either way; the session expires by itself
  showLogin("", null);
}

async function boot(): Promise<void> {
  const fragment = /^#code=([A-Za-z0-9-]{1,64})$/.exec(location.hash);
  if (fragment) {
    // The code is spent by this login whatever happens; keep it out of the address bar and history.
    history.replaceState(null, "", location.pathname);
    try {
      return showApp(await api<SessionInfo>("POST", "/web/login", { code: fragment[1] }));
    } catch (error) {
      return showLogin("", (error as Error).message);
    }
  }
  try {
    showApp(await api<SessionInfo>("GET", "/web/session"));
  } catch (error) {
    showLogin("", error instanceof ApiError && error.status === 401 ? null : (error as Error).message);
  }
}

void boot();
