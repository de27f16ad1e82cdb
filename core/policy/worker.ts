/**
 * The policy worker thread: loads the bash parser once, then answers one
 * check at a time (checker.ts sends them). A check that throws is answered
 * with its error; one that runs away is terminated from outside.
 */
import { parentPort } from "node:worker_threads";
import { evaluate } from "./evaluate.js";
import { loadShellParser } from "./parser.js";
import { compilePolicy, type CompiledPolicy } from "./patterns.js";
import type { CheckRequest, CheckResponse } from "./protocol.js";

const port = parentPort!;
const parser = await loadShellParser();
const compiled = new Map<string, CompiledPolicy>();

function policyOf(request: CheckRequest): CompiledPolicy {
  const key = JSON.stringify([request.deny, request.ask, request.allow]);
  let policy = compiled.get(key);
  if (!policy) {
    if (compiled.size > 64) compiled.clear();
    policy = compilePolicy({ deny: request.deny, ask: request.ask, allow: request.allow });
    compiled.set(key, policy);
  }
  return policy;
}

port.on("message", (request: CheckRequest) => {
  const deadline = performance.now() + request.budgetMs;
  let response: CheckResponse;
  try {
    response = { id: request.id, verdict: evaluate(request.text, policyOf(request), parser, deadline) };
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
port.postMessage({ ready: true } satisfies CheckResponse);
