// canonicalEntryFromRow (entry-row.ts) as one SQLite expression: the verifier's
// worker threads (workers/leaf-task.ts) read each entry's canonical text built by
// SQLite itself, one string a row instead of seventeen columns, and hash it. The
// same bytes (tested, entry-sql.int.test.ts): keys in RFC 8785 order, every string
// quoted by json_quote — the escaping of JSON.stringify, which RFC 8785 adopts —
// and the attributes and commitments spliced as stored. Free of server-only code.
//
// Only an accelerator. A row whose text does not hash to its stored leaf hash goes
// to the scan's own thread, which recomputes it with canonicalEntryFromRow and names
// what is wrong. It is sound for the rows it passes for the reason that function
// is: string values are quoted, which keys appear is fixed by which columns are
// null, and the attributes and commitments must each be exactly one JSON object
// (json_valid, strict RFC 8259, and json_type 'object'; else the text is NULL), so
// no altered set of columns concatenates to the committed bytes. Where the two
// disagree on malformed input (a committed requester id with its column not "",
// invalid JSON), this text is NULL or differs from the committed bytes: the row
// then fails here and is judged by the JavaScript path.

const q = (column: string) => `json_quote(${column})`;

/** The canonical text of an entry row (SQLite; NULL for a row that cannot be one). */
export const CANONICAL_ENTRY_SQL = [
  `'{'`,
  `CASE WHEN action IS NULL THEN '' ELSE '"action":' || ${q("action")} || ',' END`,
  `CASE WHEN attributes IS NULL THEN '' WHEN NOT json_valid(attributes) THEN NULL` +
    ` WHEN json_type(attributes) = 'object' THEN '"attributes":' || attributes || ',' END`,
  `CASE WHEN correlation_id IS NULL THEN '' ELSE '"correlationId":' || ${q("correlation_id")} || ',' END`,
  `'"eventType":' || ${q("event_type")} || ',"id":' || ${q("event_id")} || ','`,
  // Leaf v2: the version and the commitments as stored.
  `CASE WHEN personal IS NULL THEN '"outcome":' || ${q("outcome")} || ',' WHEN NOT json_valid(personal) THEN NULL` +
    ` WHEN json_type(personal) = 'object' THEN '"leafVersion":2,"outcome":' || ${q("outcome")} || ',"personal":' || personal || ',' END`,
  `CASE WHEN reason IS NULL THEN '' ELSE '"reason":' || ${q("reason")} || ',' END`,
  `'"receivedAt":' || ${q("received_at")} || ',"requester":{'`,
  // A committed requester id is absent from the leaf, and its column must be "".
  // (CASE tries its branches in order: json_type never sees text that is not JSON.)
  `CASE WHEN personal IS NULL THEN '"id":' || ${q("requester_id")} || ',' WHEN NOT json_valid(personal) THEN NULL` +
    ` WHEN json_type(personal, '$."/requester/id"') IS NULL THEN '"id":' || ${q("requester_id")} || ','` +
    ` WHEN requester_id = '' THEN '' END`,
  `CASE WHEN requester_ip IS NULL THEN '' ELSE '"ip":' || ${q("requester_ip")} || ',' END`,
  `'"type":' || ${q("requester_type")} || '},"seq":' || seq || ',"source":' || ${q("source")} || ',"target":{"id":' || ${q("target_id")}`,
  `CASE WHEN target_service IS NULL THEN '' ELSE ',"service":' || ${q("target_service")} END`,
  `CASE WHEN target_type IS NULL THEN '' ELSE ',"type":' || ${q("target_type")} END`,
  `'},"timestamp":' || ${q("ts")} || '}'`,
].join(" || ");
