export { AdmissionControl, type Decision } from "./admission.js";
export { Breakers } from "./breakers.js";
export { Budgets } from "./budgets.js";
export { Holds, type HoldReason, type HoldScope, type Valve } from "./holds.js";
export { Parking } from "./parking.js";
export { PolicyHolds, RECHECK_MS, type HoldDecision } from "./policy-holds.js";
