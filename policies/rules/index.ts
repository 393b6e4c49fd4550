// OWNER: rules helper. The registry of built-in rules; test/meta checks each has a doc and fixtures.
import type { Rule } from '../rule.js';

export const allRules: Rule[] = [];

export function getRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
