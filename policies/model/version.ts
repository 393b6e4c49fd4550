/** Kept in step with package.json by test/model/version.test.ts. */
export const VERSION = '0.1.0';
export const TOOL_NAME = 'persistguard';
/** Rule docs are linked from SARIF, summaries and admission messages. */
export const REPO_URL = 'https://github.com/persistguard/persistguard';
export const DOCS_BASE_URL = `${REPO_URL}/blob/main/`;
export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}docs/rules/${ruleId}.md`;
}
