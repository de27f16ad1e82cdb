/**
 * Command policy: which task texts an agent may run. Safe defaults refuse the
 * well-known disasters; an agent may add `deny` patterns and, with `allow`,
 * restrict itself to matching commands. Deny always wins.
 */
export interface PolicyRule {
  readonly name: string;
  readonly pattern: RegExp;
}

export interface PolicyConfig {
  readonly deny?: readonly string[];
  readonly allow?: readonly string[];
}

export type PolicyVerdict = { allowed: true } | { allowed: false; rule: string; reason: string };

const RM_FLAGS = String.raw`(?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)(?:\s+(?:-[a-zA-Z]+|--[a-z-]+))*`;
const DANGEROUS_TARGET = String.raw`(?:/|/\*|~|~/|~/\*|\$HOME|\$\{HOME\}|/(?:bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|usr|var)/?)`;

export const DEFAULT_DENY: readonly PolicyRule[] = [
  { name: "rm-rf-root", pattern: new RegExp(String.raw`\brm\s+${RM_FLAGS}\s+(?:--no-preserve-root\s+)?(?:-- )?["']?${DANGEROUS_TARGET}["']?(?=\s|;|&|\||$)`) },
  { name: "fork-bomb", pattern: /(\w+|:)\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1/ },
  { name: "mkfs", pattern: /\bmkfs(?:\.[a-z0-9]+)?\b/ },
  { name: "raw-disk-write", pattern: /\bdd\b[^\n;|&]*\bof=\/dev\/(?:sd|hd|vd|xvd|nvme|mmcblk|disk)|>\s*\/dev\/(?:sd|hd|vd|xvd|nvme|mmcblk)[a-z0-9]*\b/ },
  { name: "download-piped-to-shell", pattern: /\b(?:curl|wget|fetch)\b[^\n;]*\|\s*(?:sudo\s+)?(?:env\s+\S+\s+)?(?:ba|z|da|k|fi)?sh\b/ },
  { name: "chmod-root", pattern: /\bchmod\s+(?:-[a-zA-Z]*R[a-zA-Z]*\s+)\S+\s+\/(?=\s|$)/ },
];

export function compilePolicy(config: PolicyConfig = {}): { deny: PolicyRule[]; allow: PolicyRule[] } {
  const compile = (kind: string) => (source: string, i: number): PolicyRule => ({ name: `${kind}[${i}] ${source}`, pattern: new RegExp(source) });
  return {
    deny: [...DEFAULT_DENY, ...(config.deny ?? []).map(compile("deny"))],
    allow: (config.allow ?? []).map(compile("allow")),
  };
}

export function checkPolicy(task: string, policy: { deny: readonly PolicyRule[]; allow: readonly PolicyRule[] }): PolicyVerdict {
  const text = task.replace(/\\\n/g, " ");
  for (const rule of policy.deny) {
    if (rule.pattern.test(text)) return { allowed: false, rule: rule.name, reason: `refused by policy rule ${rule.name}` };
  }
  if (policy.allow.length > 0 && !policy.allow.some((rule) => rule.pattern.test(text))) {
    return { allowed: false, rule: "allow-list", reason: "refused by policy: the command matches none of the agent's allow patterns" };
  }
  return { allowed: true };
}
