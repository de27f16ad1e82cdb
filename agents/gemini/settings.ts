/**
 * The settings a headless Gemini CLI agent needs in its own GEMINI_CLI_HOME
 * (`<config>/.gemini/settings.json`), filled in before each task by
 * prepare-settings.ts. Only missing keys are added: what the user (or
 * gemini's own `/auth`) wrote stays.
 *
 * - Usage statistics off: otherwise gemini sends telemetry to
 *   play.googleapis.com and probes the machine's graphics (lspci, xrandr…)
 *   on every start. Auto-update and its notification off.
 * - With GOOGLE_GEMINI_BASE_URL set, gemini (0.44 to at least 0.61) infers a
 *   "gateway" auth type that its own headless check then refuses ("Invalid
 *   auth method selected.", exit 41; google-gemini/gemini-cli#27550). Naming
 *   the API-key auth type avoids that; the key comes from GEMINI_API_KEY.
 */
import { isObject, type JsonObject } from "../events.js";

export function withOurSettings(settings: JsonObject, env: Readonly<Record<string, string | undefined>>): JsonObject {
  const next: JsonObject = { ...settings };
  const section = (name: string): JsonObject => {
    const value: JsonObject = isObject(next[name]) ? { ...next[name] } : {};
    next[name] = value;
    return value;
  };
  const privacy = section("privacy");
  privacy.usageStatisticsEnabled ??= false;
  const general = section("general");
  general.enableAutoUpdate ??= false;
  general.enableAutoUpdateNotification ??= false;
  const security: JsonObject = isObject(next.security) ? next.security : {};
  const auth: JsonObject = isObject(security.auth) ? security.auth : {};
  if (auth.selectedType === undefined && needsApiKeyAuth(env)) {
    next.security = { ...security, auth: { ...auth, selectedType: "gemini-api-key" } };
  }
  return next;
}

/** A custom Gemini endpoint, not Vertex AI nor a Google login chosen by the environment. */
function needsApiKeyAuth(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.GOOGLE_GEMINI_BASE_URL) && env.GOOGLE_GENAI_USE_VERTEXAI !== "true" && env.GOOGLE_GENAI_USE_GCA !== "true";
}
