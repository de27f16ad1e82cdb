export * from "./errors.js";
export * from "./home.js";
export * from "./ids.js";
export * from "./keys.js";
export * from "./protocol.js";
