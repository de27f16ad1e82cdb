export { PolicyAsks, callAskId, type PolicyAskRecord } from "./store.js";
export { policyAskItem, deniedReason, type AskedWhat, type PolicyAskSpec } from "./item.js";
export { answerPolicyAsk, askIdOf, withdrawPolicyAsk } from "./answer.js";
export { PromptAsks, promptDialogId, type PromptAskRecord } from "./prompt.js";
export {
  promptAskItem,
  promptQuestionItem,
  promptChoiceAnswer,
  answerPromptAsk,
  PROMPT_CHOICE,
  type PromptAskSpec,
  type PromptQuestionSpec,
} from "./prompt-item.js";
