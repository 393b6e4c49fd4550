import type { Reporter } from './types.js';

/**
 * Every output format, by `--format` name. Loaded lazily so the CLI's default path (text) does not pay
 * for the others.
 */
const loaders: Record<string, () => Promise<Reporter>> = {
  text: async () => (await import('./text.js')).textReporter,
  json: async () => (await import('./json.js')).jsonReporter,
  sarif: async () => (await import('./sarif.js')).sarifReporter,
  junit: async () => (await import('./junit.js')).junitReporter,
  markdown: async () => (await import('./markdown.js')).markdownReporter,
  policyreport: async () => (await import('./policyreport.js')).policyReportReporter,
};

export const FORMATS = Object.keys(loaders);

export async function getReporter(format: string): Promise<Reporter | undefined> {
  const load = loaders[format];
  return load ? load() : undefined;
}
