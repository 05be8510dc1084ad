import { canonicalJson } from "../canonical-json.ts";

// What Ledgerline streams to a SIEM: one entry exactly as the log hashed it, with the
// evidence to prove the copy later. `leafHash` is SHA-256(0x00 ‖ UTF-8(JCS(entry))) in
// base64, so anyone holding the copy recomputes it from `entry`; `checkpointSize` is the
// tree size of a signed checkpoint that already covers `seq` (only covered entries are
// streamed), so `GET /api/v1/proofs/inclusion?seq=<seq>&treeSize=<checkpointSize>` proves
// the copy against that checkpoint — the same evidence as a bundle's events.jsonl line.

/** An entry of the log: the event's fields plus `seq`, `source`, `receivedAt`, `id`. */
export type StreamEntry = {
  seq: number;
  id: string;
  source: string;
  receivedAt: string;
  timestamp: string;
  eventType: string;
  requester: { id: string; type: string; ip?: string };
  target: { id: string; service?: string; type?: string };
  action?: string;
  outcome: string;
  correlationId?: string;
  reason?: string;
  attributes?: Record<string, unknown>;
};

export type StreamRecord = { seq: number; leafHash: string; checkpointSize: number; entry: StreamEntry };

/** The three proof fields every format carries under the same names. */
export const proofFields = (r: StreamRecord) => ({
  seq: r.seq,
  leafHash: r.leafHash,
  checkpointSize: r.checkpointSize,
});

/**
 * Ledgerline's own JSON: `{"seq","leafHash","checkpointSize","entry"}` with the entry in
 * its canonical form (RFC 8785), byte for byte what was hashed.
 */
export function nativeRecord(r: StreamRecord): string {
  return `{"seq":${r.seq},"leafHash":${JSON.stringify(r.leafHash)},"checkpointSize":${r.checkpointSize},"entry":${canonicalJson(r.entry)}}`;
}
