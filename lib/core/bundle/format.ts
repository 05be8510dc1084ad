import { toBase64 } from "../bytes.ts";
import { canonicalJson } from "../canonical-json.ts";
import type { EventFilter } from "../event-filter.ts";

// The evidence bundle's files (SPEC §5), byte for byte: the server writes them with
// these functions and the verifier re-derives them with the same ones, so "the same
// entries for people" (events.csv) and every JSONL line have exactly one spelling.

export const BUNDLE_FORMAT = "ledgerline.bundle/v1";

export const BUNDLE_FILES = {
  sums: "SHA256SUMS",
  sig: "SHA256SUMS.sig",
  key: "public-key.pem",
  manifest: "manifest.json",
  checkpoint: "checkpoint.txt",
  events: "events.jsonl",
  proofs: "proofs.jsonl",
  csv: "events.csv",
  verify: "VERIFY.txt",
  /** Values and salts of the v2 entries' personal fields (format.md § 5.1); only in a bundle holding such entries. */
  disclosures: "disclosures.jsonl",
} as const;

/** Every file a bundle holds, in the order they are written to the ZIP. */
export const BUNDLE_FILE_ORDER: readonly string[] = [
  BUNDLE_FILES.verify,
  BUNDLE_FILES.manifest,
  BUNDLE_FILES.checkpoint,
  BUNDLE_FILES.key,
  BUNDLE_FILES.events,
  BUNDLE_FILES.proofs,
  BUNDLE_FILES.csv,
  BUNDLE_FILES.sums,
  BUNDLE_FILES.sig,
];

/**
 * Files a bundle may also hold: a scheduled review pack's readable report (docs/reviews.md).
 * Listed in SHA256SUMS like every other file, so check 2 covers their bytes; a bundle
 * without them is complete, and a verifier older than them refuses them as extra files.
 */
export const REPORT_FILES = { html: "report.html", pdf: "report.pdf" } as const;
export const OPTIONAL_BUNDLE_FILES: readonly string[] = [BUNDLE_FILES.disclosures, REPORT_FILES.html, REPORT_FILES.pdf];

/** What a review pack's manifest says about its review: which schedule, which period (format.md §5). */
export type BundleReview = {
  schedule: string;
  scheduleId: string;
  view: string;
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  report: string[];
};

export type BundleManifest = {
  format: typeof BUNDLE_FORMAT;
  bundleId: string;
  createdAt: string;
  createdBy: string;
  origin: string;
  filter: EventFilter;
  count: number;
  firstSeq: number;
  lastSeq: number;
  checkpoint: { treeSize: number; rootHash: string };
  keyId: string;
  /**
   * The witnesses the server was configured with when it built the bundle, and which of them
   * cosigned checkpoint.txt (its extra signature lines). Informative only: a verifier trusts
   * the witnesses it pins itself, never this list. Absent in bundles made without witnesses.
   */
  witnesses?: BundleWitnesses;
  /**
   * Every key rotation statement of the log (signed notes, format.md §8.4), oldest first, so a
   * verifier that pinned an earlier key can follow the chain to the key that signed this bundle.
   * Absent when the log never rotated its key.
   */
  keyRotations?: string[];
  /**
   * Committed personal pointers the exporter chose not to disclose (`--withhold`), sorted: a signed
   * claim, so a reader knows those fields were held back on purpose. Absent when none was.
   */
  withheld?: string[];
  /** Present in a scheduled review pack only: the schedule and period its report covers. */
  review?: BundleReview;
};

export type BundleWitnesses = {
  /** The configured quorum rule in words ("2 of 3 (all-witnesses)", "witness alpha"). */
  quorum: string;
  /** Whether the cosignatures in checkpoint.txt met that quorum when the bundle was built. */
  quorumMet: boolean;
  /** Each configured witness: its policy name, cosigner vkey, and whether checkpoint.txt carries its cosignature. */
  list: Array<{ name: string; vkey: string; cosigned: boolean }>;
};

/** manifest.json: the keys in SPEC order, two-space indented, final newline. */
export function formatManifest(m: BundleManifest): string {
  const ordered: BundleManifest = {
    format: m.format,
    bundleId: m.bundleId,
    createdAt: m.createdAt,
    createdBy: m.createdBy,
    origin: m.origin,
    filter: m.filter,
    count: m.count,
    firstSeq: m.firstSeq,
    lastSeq: m.lastSeq,
    checkpoint: { treeSize: m.checkpoint.treeSize, rootHash: m.checkpoint.rootHash },
    keyId: m.keyId,
    // Added after SPEC §5's fields, and only when there is something to say: older verifiers
    // read the fields they know and ignore these; a bundle without witnesses is byte-identical.
    ...(m.witnesses
      ? {
          witnesses: {
            quorum: m.witnesses.quorum,
            quorumMet: m.witnesses.quorumMet,
            list: m.witnesses.list.map((w) => ({ name: w.name, vkey: w.vkey, cosigned: w.cosigned })),
          },
        }
      : {}),
    ...(m.keyRotations?.length ? { keyRotations: [...m.keyRotations] } : {}),
    ...(m.withheld?.length ? { withheld: [...m.withheld] } : {}),
    ...(m.review ? { review: { ...m.review, report: [...m.review.report] } } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * One events.jsonl line, newline included: `{"seq":n,"leafHash":"<b64>","entry":JCS(entry)}`.
 * `entryJcs` must be the entry's RFC 8785 text (the bytes its leaf hash commits to).
 */
export function eventLine(seq: number, leafHash: Uint8Array | string, entryJcs: string): string {
  const lh = typeof leafHash === "string" ? leafHash : toBase64(leafHash);
  return `{"seq":${seq},"leafHash":${JSON.stringify(lh)},"entry":${entryJcs}}\n`;
}

/** One proofs.jsonl line, newline included: `{"seq":n,"path":["<b64>",…]}`. */
export function proofLine(seq: number, path: Array<Uint8Array | string>): string {
  return `{"seq":${seq},"path":[${path.map((p) => JSON.stringify(typeof p === "string" ? p : toBase64(p))).join(",")}]}\n`;
}

// ── events.csv ─────────────────────────────────────────────────────────────

export const CSV_COLUMNS = [
  "seq",
  "timestamp",
  "receivedAt",
  "source",
  "eventType",
  "outcome",
  "requester.id",
  "requester.type",
  "requester.ip",
  "target.id",
  "target.service",
  "target.type",
  "action",
  "correlationId",
  "reason",
  "attributes",
  "id",
  "leafHash",
] as const;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: a cell starting with = + - @ TAB or CR gets a leading `'` so no
 * spreadsheet evaluates it; a field with a comma, quote, CR or LF is quoted, quotes doubled.
 */
export function csvCell(value: string): string {
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function csvRow(cells: string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** The header line of events.csv (CRLF-terminated, as RFC 4180 asks). */
export function csvHeader(): string {
  return csvRow([...CSV_COLUMNS]);
}

type CsvEntry = {
  seq: number;
  id?: string;
  timestamp: string;
  receivedAt?: string;
  source: string;
  eventType: string;
  outcome: string;
  /** id absent: committed in a v2 leaf (docs/format.md § 8.3), withheld from the bundle. */
  requester: { id?: string; type?: string; ip?: string };
  target: { id: string; service?: string; type?: string };
  action?: string;
  correlationId?: string;
  reason?: string;
  attributes?: unknown;
};

/** One events.csv line for an entry; absent fields are empty cells, attributes as JCS. */
export function csvLine(entry: CsvEntry, leafHash: Uint8Array | string): string {
  const e = entry;
  return csvRow([
    String(e.seq),
    e.timestamp,
    e.receivedAt ?? "",
    e.source,
    e.eventType,
    e.outcome,
    e.requester.id ?? "",
    e.requester.type ?? "",
    e.requester.ip ?? "",
    e.target.id,
    e.target.service ?? "",
    e.target.type ?? "",
    e.action ?? "",
    e.correlationId ?? "",
    e.reason ?? "",
    e.attributes === undefined ? "" : canonicalJson(e.attributes),
    e.id ?? "",
    typeof leafHash === "string" ? leafHash : toBase64(leafHash),
  ]);
}

// ── SHA256SUMS ─────────────────────────────────────────────────────────────

/** SHA256SUMS text: `<hex>  <name>\n` per file, sorted by name (byte order) — `sha256sum -c` format. */
export function formatSums(hashes: Array<{ name: string; sha256Hex: string }>): string {
  return [...hashes]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((h) => `${h.sha256Hex}  ${h.name}\n`)
    .join("");
}

/** Parses SHA256SUMS strictly; throws on any line that is not `<64 hex>  <name>` (or ` *<name>`). */
export function parseSums(text: string): Map<string, string> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the last line does not end with a newline");
  const out = new Map<string, string>();
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1} is not "<sha256 hex>  <file name>"`);
    const name = m[2]!;
    if (out.has(name)) throw new Error(`${name} is listed twice`);
    out.set(name, m[1]!.toLowerCase());
  });
  return out;
}

// ── VERIFY.txt ─────────────────────────────────────────────────────────────

export type VerifyTextInput = {
  bundleId: string;
  origin: string;
  count: number;
  treeSize: number;
  keyId: string;
  verifierKey: string;
  /** keyFingerprint(publicKey): "SHA256:xxxx:…". */
  fingerprint: string;
};

/** VERIFY.txt: the exact commands that check this bundle with standard tools and with ours. */
export function formatVerifyText(v: VerifyTextInput): string {
  const hex = v.fingerprint.replace(/^SHA256:/, "").replaceAll(":", "");
  return `Ledgerline evidence bundle ${v.bundleId}
Log ${v.origin}: ${v.count} entries, proven against the signed checkpoint of tree size ${v.treeSize}.
Format: ${BUNDLE_FORMAT}, specified in docs/format.md §5 of Ledgerline's source. Every step below works offline.

1. Unpack the ZIP into an empty folder (it holds exactly nine files, no folders):

     unzip bundle.zip -d bundle && cd bundle

2. The signature over SHA256SUMS (OpenSSL 3.0 or later; prints "Signature Verified Successfully"):

     openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig

3. Every other file against SHA256SUMS (every line must say OK; macOS: shasum -a 256 -c SHA256SUMS):

     sha256sum -c SHA256SUMS

4. The key. A bundle signed by an unknown key proves nothing: compare this key with the one the
   deployment publishes (GET /api/v1/keys, or the dashboard's integrity page), out of band.

     openssl pkey -pubin -in public-key.pem -outform DER | sha256sum

   must print ${hex}
   (fingerprint ${v.fingerprint}, key id ${v.keyId},
   verifier key ${v.verifierKey}).

5. Everything else — the checkpoint's signature, each entry's leaf hash and inclusion proof,
   the manifest's counts and filter — with Ledgerline's offline verifier, pinned to the key
   the deployment publishes (take it from GET /api/v1/keys or your own records, NOT from this
   file: whoever made this bundle also wrote the key above):

     npx ledgerline verify-bundle bundle.zip --key '<the deployment's published verifier key>'

   Exit 0 VERIFIED; 1 NOT VERIFIED; 2 bad usage; 3 CONSISTENT BUT UNPINNED — without --key
   the verifier never says VERIFIED, it prints the bundle's own key for step 4 and exits 3.
   Or drop the ZIP on the dashboard's "Verify a bundle" page with the deployment's key
   (it is checked in your browser, never uploaded).

Files: SHA256SUMS (checksums), SHA256SUMS.sig (raw Ed25519 signature of SHA256SUMS),
public-key.pem (the signing key), manifest.json (what was selected, by whom, when),
checkpoint.txt (C2SP signed checkpoint), events.jsonl (one entry per line with its leaf hash),
proofs.jsonl (RFC 9162 inclusion proof per entry), events.csv (the same entries for spreadsheets;
cells that a spreadsheet would run as formulas start with ').
`;
}
