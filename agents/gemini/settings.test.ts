import { describe, expect, it } from "vitest";
import { withOurSettings } from "./settings.js";

const ENDPOINT = { GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:8080", GEMINI_API_KEY: "k" };

describe("gemini settings defaults", () => {
  it("turns telemetry and auto-update off and names API-key auth for a custom endpoint", () => {
    expect(withOurSettings({}, ENDPOINT)).toEqual({
      privacy: { usageStatisticsEnabled: false },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      security: { auth: { selectedType: "gemini-api-key" } },
    });
  });

  it("keeps what the user or gemini wrote", () => {
    const theirs = {
      privacy: { usageStatisticsEnabled: true },
      general: { maxAttempts: 2 },
      security: { auth: { selectedType: "oauth-personal" }, folderTrust: { enabled: false } },
    };
    expect(withOurSettings(theirs, ENDPOINT)).toEqual({
      privacy: { usageStatisticsEnabled: true },
      general: { maxAttempts: 2, enableAutoUpdate: false, enableAutoUpdateNotification: false },
      security: { auth: { selectedType: "oauth-personal" }, folderTrust: { enabled: false } },
    });
  });

  it("leaves the auth type to gemini without a custom endpoint, or with Vertex AI", () => {
    expect(withOurSettings({}, { GEMINI_API_KEY: "k" }).security).toBeUndefined();
    expect(withOurSettings({}, { ...ENDPOINT, GOOGLE_GENAI_USE_VERTEXAI: "true" }).security).toBeUndefined();
  });
});
