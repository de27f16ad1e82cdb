export { PolicyAsks, callAskId, type PolicyAskRecord } from "./store.js";
export { policyAskItem, deniedReason, type AskedWhat, type PolicyAskSpec } from "./item.js";
export { answerPolicyAsk, askIdOf, withdrawPolicyAsk } from "./answer.js";
