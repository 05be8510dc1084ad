import "server-only";
import { EVENT_TYPES, OUTCOMES, REQUESTER_TYPES } from "@/lib/schemas/event.ts";
import { EXPORT_FORMATS, EXPORT_LIMIT, PAGE_LIMIT, SORTS } from "@/lib/schemas/event-filter.ts";
import { EXPLORER_COLUMNS, VIEW_NAME_MAX, VIEW_QUERY_MAX } from "@/lib/schemas/saved-view.ts";
import { TRACE_PAGE_LIMIT, TRACE_STATUSES } from "@/lib/schemas/trace-search.ts";

// The OpenAPI 3.1 description of every /api/v1 route, served at
// /api/v1/openapi.json. openapi.test.ts checks it against the route files in
// app/api/v1, so a new route without a description (or a stale one) fails the build.

type Op = Record<string, unknown>;

const problem = { $ref: "#/components/responses/Problem" };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));
const ok = (description: string, schema: unknown = { type: "object" }, status = "200") => ({
  [status]: { description, content: { "application/json": { schema } } },
});
/** A required JSON request body with this schema. */
const jsonBody = (schema: unknown) => ({ required: true, content: { "application/json": { schema } } });
/** An optional comment, e.g. on acknowledging or resolving an alert. */
const commentBody = jsonBody({
  type: "object",
  additionalProperties: false,
  properties: { comment: { type: "string", maxLength: 1000 } },
});
const readAuth = [{ readToken: [] }, { session: [] }];
const ingestAuth = [{ ingestKey: [] }];
const q = (name: string, description: string, schema: unknown = { type: "string" }, required = false) => ({
  name,
  in: "query",
  required,
  description,
  schema,
});
const pathParam = (name: string, description: string, schema: unknown = { type: "string" }) => ({
  name,
  in: "path",
  required: true,
  description,
  schema,
});

const PATTERN = "Exact value, `prefix*`, or either negated with a leading `!`.";
const filterParams = [
  q("from", "Inclusive lower bound on the claimed timestamp (RFC 3339).", { type: "string", format: "date-time" }),
  q("to", "Exclusive upper bound on the claimed timestamp (RFC 3339).", { type: "string", format: "date-time" }),
  q("eventType", "Comma-separated or repeated.", { type: "string", example: EVENT_TYPES.slice(0, 2).join(",") }),
  q("requester", `requester.id — ${PATTERN}`),
  q("requesterType", `Comma-separated: ${REQUESTER_TYPES.join(", ")}.`),
  q("target", `target.id — ${PATTERN}`),
  q("service", `target.service — ${PATTERN} An absent service matches only negations.`),
  q("source", `The ingest key's source — ${PATTERN}`),
  q("action", `action — ${PATTERN}`),
  q("outcome", `Comma-separated: ${OUTCOMES.join(", ")}.`),
  q("correlationId", "Exact correlation ID."),
  q("seqFrom", "Inclusive.", { type: "integer", minimum: 1 }),
  q("seqTo", "Inclusive.", { type: "integer", minimum: 1 }),
  q(
    "q",
    "Substring of reason or of the attributes' canonical JSON; A–Z fold to a–z. Scans within the other conditions.",
    { type: "string", maxLength: 256 },
  ),
  q(
    "hideOwnActivity",
    "`true` leaves out Ledgerline's own meta-audit records (sources `ledgerline:*`), as the explorer does by default.",
    { type: "boolean" },
  ),
];

const entrySchema = { $ref: "#/components/schemas/Entry" };
const filterSchema = { $ref: "#/components/schemas/EventFilter" };
/** A bundle's selection: an explorer filter as JSON, or an explorer link resolved on the server's clock. */
// Selective disclosure (docs/bundles.md § Personal fields): pointers whose values the bundle withholds.
const withholdSchema = {
  type: "array",
  items: { type: "string" },
  description: "Personal-field JSON pointers to withhold (commitment only, named in the manifest), e.g. /requester/ip.",
};

const bundleSelectionBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        oneOf: [
          { type: "object", required: ["filter"], properties: { filter: filterSchema, withhold: withholdSchema } },
          {
            type: "object",
            required: ["explorer"],
            properties: {
              explorer: { type: "string", description: "An Events link or its query string." },
              withhold: withholdSchema,
            },
          },
        ],
      },
    },
  },
};

const paths: Record<string, Record<string, Op>> = {
  "/api/v1/events": {
    post: {
      summary:
        "Ingest events (docs/format.md §1): one object, an array, or NDJSON. 403 when the key is bound to the reserved `ledgerline:` source namespace; 422 names every bad field by JSON pointer — identifiers holding control, format, bidi or invisible characters (the code point is named, e.g. `U+200B ZERO WIDTH SPACE`), and numbers that JSON would round (`1.00000000000000000001`).",
      security: ingestAuth,
      requestBody: {
        required: true,
        content: { "application/json": { schema: {} }, "application/x-ndjson": { schema: { type: "string" } } },
      },
      responses: {
        ...ok("Stored (201) or all duplicates (200).", { $ref: "#/components/schemas/IngestResult" }, "201"),
        ...errors(400, 401, 403, 409, 413, 415, 422, 429, 503),
      },
    },
    get: {
      summary: "A keyset page of entries matching the filter, newest first by default. Audited.",
      security: readAuth,
      parameters: [
        ...filterParams,
        q("sort", "Only orders an index serves.", { type: "string", enum: [...SORTS], default: "-ts" }),
        q("limit", "Page size.", { type: "integer", minimum: 1, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default }),
        q("cursor", "`nextCursor` of the previous page (same filter and sort)."),
      ],
      responses: {
        ...ok("A page.", {
          type: "object",
          required: ["items", "nextCursor"],
          properties: { items: { type: "array", items: entrySchema }, nextCursor: { type: ["string", "null"] } },
        }),
        ...errors(400, 401, 403, 429),
      },
    },
  },
  "/api/v1/events/export": {
    get: {
      summary: `The filter's entries as CSV (the bundle's events.csv columns, formula-safe) or NDJSON (one entry per line, as in a page), streamed in the given order. At most ${EXPORT_LIMIT} entries: past that the answer is 400 and points to a signed evidence bundle (POST /api/v1/bundles). Not signed evidence. Audited.`,
      security: readAuth,
      parameters: [
        ...filterParams,
        q("format", "csv or ndjson.", { type: "string", enum: [...EXPORT_FORMATS], default: "csv" }),
        q("sort", "Only orders an index serves.", { type: "string", enum: [...SORTS], default: "-ts" }),
      ],
      responses: {
        "200": {
          description: "The entries; the header X-Ledgerline-Count says how many.",
          content: {
            "text/csv": { schema: { type: "string" } },
            "application/x-ndjson": { schema: { type: "string" } },
          },
        },
        ...errors(400, 401, 403, 429),
      },
    },
  },
  "/api/v1/events/summary": {
    get: {
      summary: "Histogram stacked by outcome, top requesters and top targets for the filter.",
      security: readAuth,
      parameters: filterParams,
      responses: { ...ok("Summary."), ...errors(400, 401, 403, 429) },
    },
  },
  "/api/v1/events/{seq}": {
    get: {
      summary: "One entry: fields, canonical JSON, leaf hash and the oldest checkpoint covering it. Audited.",
      security: readAuth,
      parameters: [pathParam("seq", "Position in the log.", { type: "integer", minimum: 1 })],
      responses: { ...ok("The entry."), ...errors(400, 401, 403, 404, 429) },
    },
  },
  "/api/v1/traces": {
    get: {
      summary:
        "Find traces: a keyset page of correlation IDs, newest last entry first, each with its first and last time, entry, denied and failed counts and the services and requesters that took part. Served from the trace rollup (migration 0011), one index range per page. Audited (first page).",
      security: readAuth,
      parameters: [
        q("service", "A target service or requester ID that took part (exact)."),
        q("from", "Traces whose last entry is at or after this instant (RFC 3339).", {
          type: "string",
          format: "date-time",
        }),
        q("to", "Traces whose last entry is before this instant (RFC 3339).", { type: "string", format: "date-time" }),
        q("status", "Only traces with at least one denied (or failed) entry.", {
          type: "string",
          enum: [...TRACE_STATUSES],
        }),
        q("limit", "Page size.", {
          type: "integer",
          minimum: 1,
          maximum: TRACE_PAGE_LIMIT.max,
          default: TRACE_PAGE_LIMIT.default,
        }),
        q("cursor", "`nextCursor` of the previous page (same search)."),
      ],
      responses: {
        ...ok("A page.", {
          type: "object",
          properties: { items: { type: "array", items: { type: "object" } }, nextCursor: { type: ["string", "null"] } },
        }),
        ...errors(400, 401, 403, 429),
      },
    },
  },
  "/api/v1/traces/{correlationId}": {
    get: {
      summary:
        "Every entry of one correlation ID in time order (seq breaks ties), with lanes, gaps, clock findings and the service graph. Audited.",
      security: readAuth,
      parameters: [pathParam("correlationId", "A correlation ID (≤ 128 characters).")],
      responses: { ...ok("The trace (empty for an unknown ID)."), ...errors(400, 401, 403, 429) },
    },
  },
  "/api/v1/bundles": {
    post: {
      summary:
        "Start building a signed evidence bundle (docs/format.md §5) for an explorer filter (bundles:create; a read token needs the `bundles:create` scope; body at most 64 KiB, 413 while reading; at most LEDGERLINE_MAX_PENDING_BUNDLES per user, 429), or for an explorer link resolved as the Events page resolves it (a preset such as range=24h becomes absolute from/to now). Audited.",
      security: readAuth,
      requestBody: bundleSelectionBody,
      responses: {
        ...ok(
          "Queued; poll the Location. `filter` is the resolved filter the manifest will hold.",
          { type: "object", properties: { id: { type: "string" }, filter: filterSchema, withheld: withholdSchema } },
          "202",
        ),
        ...errors(400, 401, 403, 413, 415, 429),
      },
    },
    get: {
      summary: "Bundles, newest first.",
      security: readAuth,
      responses: { ...ok("The list."), ...errors(401, 403, 429) },
    },
  },
  "/api/v1/bundles/preview": {
    post: {
      summary:
        "What a bundle of this body would hold if created now: the resolved filter (send it as {filter} to create exactly that) and the explorer's count of it.",
      security: readAuth,
      requestBody: bundleSelectionBody,
      responses: {
        ...ok("The resolved selection.", {
          type: "object",
          properties: {
            filter: filterSchema,
            count: { type: "integer" },
            range: { type: ["string", "null"] },
            resolvedAt: { type: "string" },
          },
        }),
        ...errors(400, 401, 403),
      },
    },
  },
  "/api/v1/bundles/{id}": {
    get: {
      summary: "A bundle's status (queued, building, ready, failed) and progress.",
      security: readAuth,
      parameters: [pathParam("id", "Bundle id.")],
      responses: { ...ok("The bundle."), ...errors(401, 403, 404, 429) },
    },
  },
  "/api/v1/bundles/{id}/download": {
    get: {
      summary: "The bundle's ZIP. Audited.",
      security: readAuth,
      parameters: [pathParam("id", "Bundle id.")],
      responses: {
        "200": {
          description: "The ZIP.",
          content: { "application/zip": { schema: { type: "string", format: "binary" } } },
        },
        ...errors(401, 403, 404, 409, 429),
      },
    },
  },
  "/api/v1/checkpoint": {
    get: {
      summary:
        "The latest signed checkpoint (C2SP tlog-checkpoint note) with every stored witness cosignature appended as an extra `cosignature/v1` signature line (C2SP tlog-cosignature; docs/format.md §8.2). Whether they reach a quorum is for the reader to check. Public.",
      security: [],
      responses: {
        "200": { description: "The note.", content: { "text/plain": { schema: { type: "string" } } } },
        ...errors(404),
      },
    },
  },
  "/api/v1/keys": {
    get: {
      summary: "Current and retired signing keys with validity periods. Public.",
      security: [],
      responses: ok("Keys."),
    },
  },
  "/api/v1/proofs/inclusion": {
    get: {
      summary:
        "RFC 9162 inclusion proof of entry `seq` in the tree of size `treeSize` (default: latest checkpoint). Public.",
      security: [],
      parameters: [
        q("seq", "Entry.", { type: "integer", minimum: 1 }, true),
        q("treeSize", "Tree size.", { type: "integer", minimum: 1 }),
      ],
      responses: { ...ok("The proof."), ...errors(400, 404) },
    },
  },
  "/api/v1/proofs/consistency": {
    get: {
      summary: "RFC 9162 consistency proof between tree sizes `from` and `to` (default: latest checkpoint). Public.",
      security: [],
      parameters: [
        q("from", "Older size.", { type: "integer", minimum: 0 }, true),
        q("to", "Newer size.", { type: "integer", minimum: 1 }),
      ],
      responses: { ...ok("The proof."), ...errors(400, 404) },
    },
  },
  "/api/v1/me": {
    get: {
      summary: "Who the caller is and what its role allows.",
      security: readAuth,
      responses: { ...ok("The principal."), ...errors(401, 429) },
    },
  },
  "/api/v1/integrity": {
    get: {
      summary:
        "Verification status, verifier key, checkpoints and run history; `witnesses`: per witness its key, URL, last cosigned size and time, lag (entries, seconds), last error and alerts (fork, rollback, refused, silent), and whether the latest checkpoint's re-verified cosignatures reach the configured quorum. Audited.",
      security: readAuth,
      responses: { ...ok("Status."), ...errors(401, 403, 429) },
    },
  },
  "/api/v1/events/tail": {
    get: {
      summary:
        "Live tail of a filter (polling). Without `tail`: start one — recorded once in the log (events.tail, with the filter and the seq it starts after) → {tail, after}. With `tail` and `after`: up to 100 matching entries appended after `after`, oldest first → {items, after, more}; polls are not recorded one by one (the token binds them to the recorded start, its user and its filter). Poll every few seconds; the read rate limit applies.",
      security: readAuth,
      parameters: [
        q(
          "after",
          "Start: the newest seq already shown (default: the log's head). Poll: the `after` of the previous answer.",
          {
            type: "integer",
            minimum: 0,
          },
        ),
        q("tail", "The token the start returned."),
        q("…", "Every filter parameter of GET /api/v1/events (the same filter at start and at every poll)."),
      ],
      responses: { ...ok("The start or a batch of new entries."), ...errors(400, 401, 403, 429) },
    },
  },
  "/api/v1/views": {
    get: {
      summary:
        "Saved views the caller may open: their own and every shared one, each {id, owner, name, query, columns, shared, mine, canDelete}. Open one as /events?<query> (a preset range stays relative).",
      security: readAuth,
      responses: {
        ...ok("The views.", { type: "object", properties: { items: { type: "array" } } }),
        ...errors(401, 403),
      },
    },
    post: {
      summary:
        "Save a view (views:manage; same-origin session): a name unique among the caller's views, the explorer's URL or query (checked as the explorer checks it; the cursor is dropped), the visible columns, and whether it is shared with every user. Recorded in the log (views.create).",
      security: [{ session: [] }],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["name", "query", "columns"],
        properties: {
          name: { type: "string", minLength: 1, maxLength: VIEW_NAME_MAX },
          query: { type: "string", maxLength: VIEW_QUERY_MAX },
          columns: { type: "array", items: { type: "string", enum: [...EXPLORER_COLUMNS] }, minItems: 1 },
          shared: { type: "boolean", default: false },
        },
      }),
      responses: { ...ok("The saved view.", { type: "object" }, "201"), ...errors(400, 401, 403, 409, 413, 415) },
    },
  },
  "/api/v1/views/{id}": {
    patch: {
      summary:
        "Rename and/or share or unshare one's own view (views:manage; same-origin session). Sharing and unsharing are recorded (views.share / views.unshare).",
      security: [{ session: [] }],
      parameters: [pathParam("id", "View id.")],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, maxLength: VIEW_NAME_MAX },
          shared: { type: "boolean" },
        },
      }),
      responses: { ...ok("The view after the change."), ...errors(400, 401, 403, 404, 409, 415) },
    },
    delete: {
      summary:
        "Delete a view: its owner, or an admin for a shared one (views:manage / views:moderate; same-origin session). Deleting a shared view is recorded (views.delete).",
      security: [{ session: [] }],
      parameters: [pathParam("id", "View id.")],
      responses: { ...ok("{deleted: id}"), ...errors(401, 403, 404) },
    },
  },
  "/api/v1/integrity/acknowledgements": {
    post: {
      summary:
        "Acknowledge deleted checkpoints (integrity:acknowledge: admins; same-origin session). Until acknowledged, a checkpoint the verifier saw and the store no longer holds keeps the integrity status failed. The acknowledgement is logged before it takes effect.",
      security: [{ session: [] }],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["treeSizes", "reason"],
        properties: {
          treeSizes: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 1, maxItems: 1000 },
          reason: { type: "string", minLength: 1, maxLength: 1000 },
        },
      }),
      responses: { ...ok("The deleted checkpoints now acknowledged."), ...errors(400, 401, 403) },
    },
  },
  "/api/v1/siem/destinations": {
    get: {
      summary:
        "SIEM streaming destinations (siem:read: admins and auditors; session): kind, format, cursor, lag behind the latest checkpoint, state (active, paused, dead-letter), last error. Never the secret. docs/siem.md.",
      security: [{ session: [] }],
      responses: { ...ok("The destinations.", { type: "array", items: { type: "object" } }), ...errors(401, 403) },
    },
    post: {
      summary:
        "Create a destination (siem:manage: admins; same-origin session). Streams every checkpoint-covered entry from `startAfterSeq` on. Audited without the secret.",
      security: [{ session: [] }],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["name", "kind", "url"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
          kind: {
            type: "string",
            enum: ["splunk-hec", "elastic-bulk", "syslog-tcp", "syslog-tls", "https-ndjson"],
          },
          format: { type: "string", enum: ["native", "ocsf"], default: "native" },
          url: { type: "string", description: "http(s) URL, or host:port for syslog" },
          secret: { type: "string", description: "HEC token or Authorization header value" },
          options: { type: "object", description: "index, sourcetype, host, pen, ca (PEM), batch" },
          startAfterSeq: {
            oneOf: [
              { type: "string", enum: ["beginning", "now"] },
              { type: "integer", minimum: 0 },
            ],
          },
        },
      }),
      responses: { ...ok("Created.", { type: "object" }, "201"), ...errors(400, 401, 403, 409, 422) },
    },
  },
  "/api/v1/siem/destinations/{id}": {
    delete: {
      summary: "Remove a destination (siem:manage; same-origin session). Audited with its cursor.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Destination id.")],
      responses: { ...ok("Removed."), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/siem/destinations/{id}/replay": {
    post: {
      summary:
        "Send everything from `fromSeq` again (siem:manage; same-origin session). At-least-once: the SIEM may see records twice (Elastic's fixed `_id`s dedupe). Audited.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Destination id.")],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["fromSeq"],
        properties: { fromSeq: { type: "integer", minimum: 1 } },
      }),
      responses: { ...ok("The new cursor."), ...errors(400, 401, 403, 404, 422) },
    },
  },
  "/api/v1/siem/destinations/{id}/state": {
    post: {
      summary:
        "Resume (`active`, also after a dead letter: the batch after the cursor is tried again) or pause (`paused`) a destination (siem:manage; same-origin session). Audited.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Destination id.")],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["state"],
        properties: { state: { type: "string", enum: ["active", "paused"] } },
      }),
      responses: { ...ok("The new state."), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/alerts": {
    get: {
      summary:
        "Recent alerts (alerts:read: every role; signed-in session): rule, key, state (firing, acknowledged, resolved), value, threshold, the seq of the log entry that recorded the firing, and each delivery's state, attempts and last error. `?state=open` lists the open ones. docs/alerts.md.",
      security: [{ session: [] }],
      parameters: [{ name: "state", in: "query", schema: { type: "string", enum: ["open", "all"], default: "all" } }],
      responses: { ...ok("The alerts.", { type: "object" }), ...errors(400, 401, 403) },
    },
  },
  "/api/v1/alerts/{id}/acknowledge": {
    post: {
      summary:
        "Acknowledge a firing alert (alerts:acknowledge: admins and analysts; same-origin session). Logged as alert.acknowledged from source ledgerline:alerts.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Alert id.")],
      requestBody: commentBody,
      responses: { ...ok("The new state."), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/alerts/{id}/resolve": {
    post: {
      summary:
        "Resolve an alert (alerts:acknowledge; same-origin session). Logged as alert.resolved. A rule whose condition still holds opens a new alert at its next evaluation.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Alert id.")],
      requestBody: commentBody,
      responses: { ...ok("The new state."), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/alerts/rules": {
    get: {
      summary:
        "Alert rules (alerts:read): filter, condition, channels, enabled, and whether the rule reads the per-source rollup (`readsRollup`) or counts entries.",
      security: [{ session: [] }],
      responses: { ...ok("The rules.", { type: "object" }), ...errors(401, 403) },
    },
    post: {
      summary:
        "Create a rule (alerts:manage: admins; same-origin session): the explorer's filter (without from/to/seq), one condition (count, baseline, silent, integrity) and up to 10 channels (webhook, slack, syslog, email). Logged as alert.rule.create.",
      security: [{ session: [] }],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["name", "condition"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,62}$" },
          filter: { type: "object", description: "The explorer's filter (GET /api/v1/events parameters as JSON)." },
          condition: {
            type: "object",
            required: ["kind"],
            description:
              "count {windowMinutes, threshold}; baseline {windowMinutes=60, factor=3, minCount=10, days=7}; silent {minutes}; integrity {}. Windows are multiples of 10 minutes.",
            properties: { kind: { type: "string", enum: ["count", "baseline", "silent", "integrity"] } },
          },
          channels: {
            type: "array",
            maxItems: 10,
            items: {
              type: "object",
              required: ["kind"],
              description: "webhook {url}; slack {url}; syslog {address, tls, ca}; email {to[]}",
              properties: { kind: { type: "string", enum: ["webhook", "slack", "syslog", "email"] } },
            },
          },
          enabled: { type: "boolean", default: true },
        },
      }),
      responses: { ...ok("Created.", { type: "object" }, "201"), ...errors(400, 401, 403, 409, 422) },
    },
  },
  "/api/v1/alerts/rules/{id}": {
    delete: {
      summary: "Remove a rule (alerts:manage; same-origin session); its open alerts are resolved first. Logged.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Rule id.")],
      responses: { ...ok("Removed."), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/alerts/rules/{id}/enabled": {
    post: {
      summary:
        "Enable or pause a rule (alerts:manage; same-origin session). A paused rule's open alerts resolve at the next evaluation. Logged.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Rule id.")],
      requestBody: jsonBody({
        type: "object",
        additionalProperties: false,
        required: ["enabled"],
        properties: { enabled: { type: "boolean" } },
      }),
      responses: { ...ok("The new state."), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/alerts/deliveries/{id}/retry": {
    post: {
      summary: "Send a failed delivery again at the next pass (alerts:manage; same-origin session). Logged.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Delivery id.")],
      responses: { ...ok("Pending again."), ...errors(400, 401, 403, 409) },
    },
  },
  "/api/v1/alerts/evaluate": {
    post: {
      summary: "Evaluate every rule and send due deliveries now (alerts:manage; same-origin session).",
      security: [{ session: [] }],
      responses: { ...ok("The pass: rules, fired, delivered, failed, ms."), ...errors(401, 403) },
    },
  },
  "/api/v1/integrity/runs": {
    post: {
      summary:
        "Start a full verification pass (integrity:run: admin and auditor; a read token needs the `integrity:run` scope). Audited.",
      security: readAuth,
      responses: { ...ok("Started.", { type: "object" }, "202"), ...errors(401, 403, 409) },
    },
  },
  "/api/v1/integrity/runs/{id}": {
    get: {
      summary: "One verification run with its progress.",
      security: readAuth,
      parameters: [pathParam("id", "Run id.")],
      responses: { ...ok("The run."), ...errors(401, 403, 404, 429) },
    },
  },
  "/api/v1/retention": {
    get: {
      summary: "Retention policies and legal holds (retention:manage: admins). docs/retention.md.",
      security: [{ session: [] }],
      responses: { ...ok("{policies, holds}."), ...errors(401, 403) },
    },
  },
  "/api/v1/retention/policies/{name}": {
    put: {
      summary:
        "Create or change a retention policy {filter, days (null = for ever), belowPciAcknowledged, archive} (retention:manage; same-origin session). Under 365 days needs belowPciAcknowledged: true. archive: true writes monthly signed bundles to LEDGERLINE_ARCHIVE_DIR before pruning. Logged before it takes effect.",
      security: [{ session: [] }],
      parameters: [pathParam("name", "Policy name; `default` covers entries no other policy matches.")],
      requestBody: jsonBody({ type: "object" }),
      responses: { ...ok("The policy."), ...errors(400, 401, 403) },
    },
    delete: {
      summary: "Delete a named policy; its entries fall back to the default (retention:manage). Logged.",
      security: [{ session: [] }],
      parameters: [pathParam("name", "Policy name.")],
      responses: { ...ok("Deleted."), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/retention/holds": {
    post: {
      summary:
        "Place a legal hold {filter, reason, caseRef}: matching entries are never pruned (retention:manage). Logged.",
      security: [{ session: [] }],
      requestBody: jsonBody({ type: "object" }),
      responses: { ...ok("The hold.", { type: "object" }, "201"), ...errors(400, 401, 403) },
    },
  },
  "/api/v1/retention/holds/{id}/release": {
    post: {
      summary: "Release a legal hold {reason?} (retention:manage). Logged.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Hold id (hold_…).")],
      responses: { ...ok("The released hold."), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/retention/prune": {
    post: {
      summary:
        "{dryRun: true} (default): entries due per policy and held; {dryRun: false}: append prune receipts, then clear those bodies (retention:manage).",
      security: [{ session: [] }],
      responses: { ...ok("The plan and what was pruned."), ...errors(400, 401, 403) },
    },
  },
  "/api/v1/reviews": {
    get: {
      summary:
        "Review schedules (each with nextRunAt) and the latest review packs (period, bundle status, count, sign-off) (reviews:read: admins, auditors). docs/reviews.md.",
      security: readAuth,
      responses: { ...ok("{schedules, packs}."), ...errors(401, 403) },
    },
  },
  "/api/v1/reviews/schedules": {
    post: {
      summary:
        'Schedule a saved view {viewId, frequency: daily|weekly|monthly|cron, cron?, timeZone (IANA), name?}, or a template {template: "pci-dss-10.4.1-daily" | "soc2-cc7.2-monthly", timeZone?} (reviews:manage; same-origin session). Logged (reviews.schedule).',
      security: [{ session: [] }],
      requestBody: jsonBody({ type: "object" }),
      responses: { ...ok("The schedule.", { type: "object" }, "201"), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/reviews/schedules/{id}/run": {
    post: {
      summary:
        "Run the schedule for its last period ended at {at?} (default now): a signed bundle with report.html and report.pdf. 201 when made, 200 when that period already had a pack (reviews:manage). Logged (reviews.run).",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Schedule id.")],
      responses: { ...ok("{pack, created}.", { type: "object" }, "201"), ...errors(400, 401, 403, 404) },
    },
  },
  "/api/v1/reviews/packs/{id}": {
    get: {
      summary:
        "One review pack: period, bundleId (download it from /api/v1/bundles/{bundleId}/download), status, sign-off (reviews:read).",
      security: readAuth,
      parameters: [pathParam("id", "Pack id.")],
      responses: { ...ok("The pack."), ...errors(401, 403, 404) },
    },
  },
  "/api/v1/reviews/packs/{id}/signoff": {
    post: {
      summary:
        "Mark a ready pack reviewed {comment} (reviews:signoff: admins, auditors; same-origin session). The sign-off is a log entry (reviews.signoff, reason = the comment): PCI DSS 10.4.1 review evidence. 409 when already reviewed or not ready.",
      security: [{ session: [] }],
      parameters: [pathParam("id", "Pack id.")],
      requestBody: jsonBody({ type: "object" }),
      responses: { ...ok("The pack with its review."), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/otlp/v1/logs": {
    post: {
      summary: "OTLP/HTTP logs receiver (JSON or protobuf, optionally gzip); access records become entries.",
      security: ingestAuth,
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: {} },
          "application/x-protobuf": { schema: { type: "string", format: "binary" } },
        },
      },
      responses: {
        ...ok(
          "OTLP ExportLogsServiceResponse. Records that cannot be stored as sent — not an access, a repeated attribute key, a number JSON would round, an invalid identifier — are counted in `partialSuccess.rejectedLogRecords` and described in `errorMessage`; the others are stored.",
        ),
        ...errors(400, 401, 403, 413, 415, 429, 503),
      },
    },
  },
  "/api/v1/k8s/audit": {
    post: {
      summary: "Kubernetes audit webhook backend (audit.k8s.io/v1 EventList).",
      security: ingestAuth,
      requestBody: jsonBody({}),
      responses: {
        ...ok("Stored; `rejected` lists each event that was not (with JSON pointers), e.g. a number JSON would round."),
        ...errors(400, 401, 403, 413, 429, 503),
      },
    },
  },
  "/api/v1/openapi.json": {
    get: { summary: "This description. Public.", security: [], responses: ok("OpenAPI 3.1.") },
  },
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Ledgerline API",
    version: "1",
    description:
      "Audit-ready access logs for machine-to-machine traffic. Formats (events, entries, checkpoints, proofs, evidence bundles) are specified in docs/format.md. Errors are RFC 9457 problem+json with a request id.",
  },
  paths,
  components: {
    securitySchemes: {
      ingestKey: { type: "http", scheme: "bearer", description: "An ingest key (`lli_…`), bound to one source." },
      readToken: {
        type: "http",
        scheme: "bearer",
        description:
          "A personal read token (`llr_…`); acts with its user's current role, narrowed to its scopes: `events:read` (always: events, traces, integrity status, bundle lists and downloads), `bundles:create` and `integrity:run` only when granted at creation.",
      },
      session: {
        type: "apiKey",
        in: "cookie",
        name: "next-auth.session-token",
        description: "A dashboard session; POSTs also need a same-origin Origin header.",
      },
    },
    responses: {
      Problem: {
        description: "RFC 9457 problem details; `errors` names each offending field or parameter.",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      },
    },
    schemas: {
      Problem: {
        type: "object",
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          requestId: { type: "string" },
          errors: { type: "array", items: { type: "object" } },
        },
      },
      IngestResult: {
        type: "object",
        properties: {
          accepted: {
            type: "array",
            items: {
              type: "object",
              properties: { id: { type: "string" }, seq: { type: "integer" }, leafHash: { type: "string" } },
            },
          },
          duplicates: {
            type: "array",
            items: { type: "object", properties: { id: { type: "string" }, seq: { type: "integer" } } },
          },
          coveredBy: {
            type: "string",
            format: "date-time",
            description:
              "When a signed checkpoint will include these entries at the latest: the server's next scheduled checkpoint (every `checkpointInterval` seconds while the log grows, and at graceful shutdown). Fetch an inclusion proof after it to hold a receipt (lib/client `verifyReceipt`).",
          },
          checkpointInterval: {
            type: "integer",
            description: "Seconds between checkpoints (LEDGERLINE_CHECKPOINT_INTERVAL).",
          },
        },
      },
      Entry: {
        type: "object",
        description: "A log entry (docs/format.md §2) plus its base64 leaf hash.",
        required: ["seq", "id", "source", "timestamp", "receivedAt", "eventType", "requester", "target", "outcome"],
        properties: {
          seq: { type: "integer" },
          id: { type: "string" },
          source: { type: "string" },
          timestamp: { type: "string", format: "date-time" },
          receivedAt: { type: "string", format: "date-time" },
          eventType: { enum: [...EVENT_TYPES] },
          requester: {
            type: "object",
            properties: { id: { type: "string" }, type: { enum: [...REQUESTER_TYPES] }, ip: { type: "string" } },
          },
          target: {
            type: "object",
            properties: { id: { type: "string" }, service: { type: "string" }, type: { type: "string" } },
          },
          action: { type: "string" },
          outcome: { enum: [...OUTCOMES] },
          correlationId: { type: "string" },
          reason: { type: "string" },
          attributes: { type: "object" },
          leafHash: { type: "string", description: "base64 SHA-256(0x00 || JCS(entry))" },
        },
      },
      EventFilter: {
        type: "object",
        additionalProperties: false,
        description: `The explorer filter as JSON. Text patterns: ${PATTERN}`,
        properties: {
          from: { type: "string", format: "date-time" },
          to: { type: "string", format: "date-time" },
          eventType: { type: "array", items: { enum: [...EVENT_TYPES] } },
          outcome: { type: "array", items: { enum: [...OUTCOMES] } },
          requesterType: { type: "array", items: { enum: [...REQUESTER_TYPES] } },
          requester: { type: "string" },
          target: { type: "string" },
          service: { type: "string" },
          source: { type: "string" },
          action: { type: "string" },
          correlationId: { type: "string" },
          seqFrom: { type: "integer", minimum: 1 },
          seqTo: { type: "integer", minimum: 1 },
          q: { type: "string", maxLength: 256 },
          hideOwnActivity: {
            type: "boolean",
            description: "true leaves out Ledgerline's own meta-audit records (sources `ledgerline:*`).",
          },
        },
      },
    },
  },
} as const;
