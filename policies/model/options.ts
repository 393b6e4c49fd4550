/**
 * The fixed value lists every adapter accepts (CLI flags, Action inputs, webhook flags), defined once so a
 * new value reaches all of them together and the types follow from the lists.
 */

/** `--fail-on` / `fail-on`: the lowest finding severity that fails the run; `never`: no finding does. */
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** `--target` / `target` / config `target`: which cluster the images are judged for. */
export const TARGETS = ['auto', 'k3s', 'kubernetes'] as const;
export type Target = (typeof TARGETS)[number];

/** `--policy-report-api` / `format: policyreport:openreports`: the PolicyReport CRD flavour written. */
export const POLICY_REPORT_APIS = ['wgpolicyk8s', 'openreports'] as const;
export type PolicyReportApi = (typeof POLICY_REPORT_APIS)[number];

/** `--format` values; the Action writes every one of them but `text` (see `FILE_FORMATS`). */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'policyreport'] as const;
export type Format = (typeof FORMATS)[number];
/** The formats meant for files (the Action's `format` input): everything but the terminal's `text`. */
export const FILE_FORMATS = FORMATS.filter((f): f is Exclude<Format, 'text'> => f !== 'text');
export type FileFormat = (typeof FILE_FORMATS)[number];

/** `serve --mode`: enforce denies error findings; audit never denies, only warns. */
export const WEBHOOK_MODES = ['enforce', 'audit'] as const;
export type WebhookMode = (typeof WEBHOOK_MODES)[number];

/** `serve --on-error` / `--on-cache-miss`: the answer when the webhook cannot judge (audit mode always allows). */
export const FAIL_CHOICES = ['allow', 'deny'] as const;
export type FailChoice = (typeof FAIL_CHOICES)[number];
