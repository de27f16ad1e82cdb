export { Notifier, type NotifierOptions } from "./notifier.js";
export { tryTargets, unusableTargets, type TargetReport, type TryOptions } from "./try-targets.js";
export { DEFAULT_DELIVERY, type DeliveryPolicy } from "./delivery.js";
export type { NotifyMessage, TaskFacts } from "./message.js";
