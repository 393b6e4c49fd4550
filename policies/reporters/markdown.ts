// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const markdownReporter: Reporter = {
  format: 'markdown',
  fileName: 'persistguard.md',
  render: () => {
    throw new Error('markdown reporter: not implemented yet');
  },
};
