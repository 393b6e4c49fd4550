// Stub until implemented by its owner.
import type { Reporter } from './types.js';

export const policyReportReporter: Reporter = {
  format: 'policyreport',
  fileName: 'policyreport.yaml',
  render: () => {
    throw new Error('policyreport reporter: not implemented yet');
  },
};
