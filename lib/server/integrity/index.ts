// The integrity center: background verification of the log, its status, runs and alerts.
export {
  getIntegrityStatus,
  getRun,
  recordIntegrityView,
  viewIntegrityStatus,
  type IntegrityStatus,
} from "./status.ts";
export {
  runVerification,
  runningRun,
  settle,
  startFullPass,
  startIntegrityScheduler,
  type RunOptions,
} from "./verifier.ts";
export { INTEGRITY_KINDS, type IntegrityKind, type IntegrityResult } from "./types.ts";
export type { Run } from "./runs.ts";
