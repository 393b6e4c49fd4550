#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the `prepare` script, or shipped in the package).
import { runFromProcess } from '../build/cli/run.js';

await runFromProcess();
