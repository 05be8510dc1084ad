// @ledgerline/client — typed client for Ledgerline's ingest API. See README.md.
export { LedgerlineClient, LedgerlineError, parseRetryAfter, toWireEvent } from "./ledgerline-client.ts";
export type { LedgerlineClientOptions, SendResult } from "./ledgerline-client.ts";
export type { AccessEvent, EventType, IngestResult, Outcome, Problem, RequesterType, WireEvent } from "./types.ts";
export { uuidv7 } from "./uuidv7.ts";
export { verifyReceipt } from "./receipt.ts";
export type { Receipt, ReceiptOptions, ReceiptResult, ReceiptTrust } from "./receipt.ts";
