// The integrity center: background verification of the log, its status, runs and alerts.
// Its use cases (service.ts) are what pages, actions and routes call.
export { requestFullPass, viewIntegrityStatus, viewRun } from "./service.ts";
export type { IntegrityStatus } from "./status.ts";
export { runVerification, settle, type IntegrityRuntime, type RunOptions } from "./verifier.ts";
export { INTEGRITY_KINDS, type IntegrityKind, type IntegrityResult } from "./types.ts";
export type { Run } from "./runs.ts";
