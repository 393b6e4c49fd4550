// OWNER: cli/config helper. Stub until implemented.
import type { ReportError } from '../findings.js';
import { defaultConfig, type ResolvedConfig } from './types.js';

export interface ConfigResult {
  config: ResolvedConfig;
  /** Schema violations with the exact path of the mistake; non-empty means exit code 2. */
  errors: ReportError[];
}

/** Parses and validates `.persistguard.yaml` text. */
export function parseConfig(_text: string, _file: string): ConfigResult {
  return { config: defaultConfig(), errors: [] };
}

/** Finds `.persistguard.y[a]ml` upward from `scanRoot` (or reads `explicitPath`) and parses it. */
export async function loadConfig(_opts: { scanRoot: string; explicitPath?: string }): Promise<ConfigResult> {
  return { config: defaultConfig(), errors: [] };
}
