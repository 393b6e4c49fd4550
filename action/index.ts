// The Action's entry point (bundled to dist/index.js): everything lives in main.ts so tests can call run().
import { run } from './main.js';

await run();
