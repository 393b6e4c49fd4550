import type { Reporter } from './types.js';
import { FORMATS, type Format } from '../model/options.js';

export { FORMATS };

/**
 * Every output format, by `--format` name. Loaded lazily so the CLI's default path (text) does not pay
 * for the others.
 */
const loaders: Record<Format, () => Promise<Reporter>> = {
  text: async () => (await import('./text.js')).textReporter,
  json: async () => (await import('./json.js')).jsonReporter,
  sarif: async () => (await import('./sarif.js')).sarifReporter,
  junit: async () => (await import('./junit.js')).junitReporter,
  markdown: async () => (await import('./markdown.js')).markdownReporter,
  policyreport: async () => (await import('./policyreport.js')).policyReportReporter,
};

export async function getReporter(format: string): Promise<Reporter | undefined> {
  const load = (FORMATS as readonly string[]).includes(format) ? loaders[format as Format] : undefined;
  return load ? load() : undefined;
}
