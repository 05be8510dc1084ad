// The integrity center: background verification of the log, its status, runs and alerts.
// Pages, actions and routes call its use cases (service.ts); the CLI runs runVerification.
export { acknowledgeDeletedCheckpoints, requestFullPass, viewIntegrityStatus } from "./service.ts";
export { runVerification, settle } from "./verifier.ts";
export type { IntegrityStatus } from "./status.ts";
