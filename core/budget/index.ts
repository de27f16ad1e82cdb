export * from "./types.js";
export { periodOf, isPeriodKey, type PeriodWindow } from "./period.js";
export { AgentSpend, type AgentBudgetState } from "./agent-spend.js";
export { BUDGET_QUESTIONS, budgetDecision, budgetItem, type BudgetDecision } from "./ask.js";
export { answerAgentBudget } from "./agent-answer.js";
