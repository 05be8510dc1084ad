// The wire types of Ledgerline's ingest API (SPEC §1), written out here so the client has no
// dependency on the server's code and can be published on its own.

export type EventType = "read" | "write" | "modify" | "delete" | "execute" | "authenticate";
export type Outcome = "success" | "failure" | "denied";
export type RequesterType = "service" | "workload" | "job" | "device" | "user";

/** One access event as a service sends it. */
export type AccessEvent = {
  /** Idempotency key per source, 1–128 printable ASCII; the client assigns a UUIDv7 when absent. */
  id?: string;
  /** RFC 3339 with Z or an offset; a Date is converted. */
  timestamp: string | Date;
  eventType: EventType;
  requester: { id: string; type?: RequesterType; ip?: string };
  target: { id: string; service?: string; type?: string };
  action?: string;
  outcome: Outcome;
  correlationId?: string;
  reason?: string;
  attributes?: Record<string, unknown>;
};

/** The event as sent: id and timestamp always strings. */
export type WireEvent = Omit<AccessEvent, "id" | "timestamp"> & { id: string; timestamp: string };

export type IngestResult = {
  accepted: Array<{ id: string; seq: number; leafHash: string }>;
  duplicates: Array<{ id: string; seq: number }>;
  /** When a signed checkpoint will include the accepted entries at the latest; verify receipts after it. */
  coveredBy?: string;
  /** Seconds between the server's checkpoints. */
  checkpointInterval?: number;
};

/** An RFC 9457 problem document as the server sends it. */
export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  /** Per-field (and, for a batch, per-item) errors: `{index?, pointer, detail}`. */
  errors?: Array<{ index?: number; pointer?: string; detail?: string; [k: string]: unknown }>;
  [k: string]: unknown;
};
