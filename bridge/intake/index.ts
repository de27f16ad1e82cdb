export { Intake } from "./intake.js";
export { AgentWorkers } from "./workers.js";
