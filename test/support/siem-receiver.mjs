// A stand-in for Splunk's HTTP Event Collector, Elasticsearch's _bulk API and a generic
// NDJSON endpoint, run as its own process by the SIEM tests (Debian ships none of them).
// It checks each request against the documented wire format and answers the way the real
// product does; every record it accepted is appended, one JSON line, to RECEIVED_FILE.
//   PORT=0 RECEIVED_FILE=… HEC_TOKEN=… node test/support/siem-receiver.mjs
// prints "listening <port>". POST /fault {"refuse":N,"status":503} makes it refuse the next N.
import fs from "node:fs";
import http from "node:http";

const out = process.env.RECEIVED_FILE;
const token = process.env.HEC_TOKEN ?? "hec-token";
let refuse = 0;
let refuseStatus = 503;
const bulkIds = new Set();

const keep = (kind, record) => fs.appendFileSync(out, `${JSON.stringify({ kind, record })}\n`);
const reply = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** HEC: `Authorization: Splunk <token>`, a run of JSON objects each with `event` and numeric `time`. */
function hec(req, body, res) {
  if (req.headers.authorization !== `Splunk ${token}`)
    return reply(res, 401, { text: "Invalid authorization", code: 3 });
  const events = [];
  let rest = body.trim();
  while (rest.length) {
    let depth = 0,
      i = 0,
      inStr = false;
    for (; i < rest.length; i++) {
      const c = rest[i];
      if (inStr) {
        if (c === "\\") i++;
        else if (c === '"') inStr = false;
        continue;
      }
      if (c === '"') inStr = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    let obj;
    try {
      obj = JSON.parse(rest.slice(0, i + 1));
    } catch {
      return reply(res, 400, { text: "Invalid data format", code: 6 });
    }
    if (typeof obj.time !== "number" || obj.event === undefined)
      return reply(res, 400, { text: "Event field is required", code: 12 });
    events.push(obj);
    rest = rest.slice(i + 1).trim();
  }
  if (!events.length) return reply(res, 400, { text: "No data", code: 5 });
  for (const e of events) keep("splunk-hec", e.event);
  reply(res, 200, { text: "Success", code: 0 });
}

/** _bulk: NDJSON ending in a newline; action lines `create` with `_index` and `_id`, each followed by a document. */
function bulk(req, body, res) {
  if (!/^application\/x-ndjson/.test(req.headers["content-type"] ?? ""))
    return reply(res, 406, { error: "Content-Type header [text/plain] is not supported", status: 406 });
  if (!body.endsWith("\n"))
    return reply(res, 400, {
      error: { type: "illegal_argument_exception", reason: "The bulk request must be terminated by a newline [\\n]" },
      status: 400,
    });
  const lines = body.slice(0, -1).split("\n");
  if (lines.length % 2)
    return reply(res, 400, {
      error: { type: "illegal_argument_exception", reason: "odd number of lines" },
      status: 400,
    });
  const items = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i]).create;
    const doc = JSON.parse(lines[i + 1]);
    if (!action?._index || !action._id)
      return reply(res, 400, { error: { type: "action_request_validation_exception" }, status: 400 });
    if (bulkIds.has(action._id)) {
      items.push({
        create: {
          _index: action._index,
          _id: action._id,
          status: 409,
          error: { type: "version_conflict_engine_exception", reason: "document already exists" },
        },
      });
      continue;
    }
    bulkIds.add(action._id);
    keep("elastic-bulk", doc);
    items.push({ create: { _index: action._index, _id: action._id, status: 201, result: "created" } });
  }
  reply(res, 200, { took: 1, errors: items.some((x) => x.create.status >= 300), items });
}

function ndjson(req, body, res) {
  for (const line of body.split("\n").filter(Boolean)) keep("https-ndjson", JSON.parse(line));
  reply(res, 200, { ok: true });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    if (req.url === "/fault") {
      const f = JSON.parse(body);
      refuse = f.refuse;
      refuseStatus = f.status ?? 503;
      return reply(res, 200, { ok: true });
    }
    if (refuse > 0) {
      refuse--;
      return reply(res, refuseStatus, { text: "Server is busy", code: 9 });
    }
    try {
      if (req.url === "/services/collector/event") return hec(req, body, res);
      if (req.url === "/_bulk" || /^\/[^/]+\/_bulk$/.test(req.url)) return bulk(req, body, res);
      if (req.url === "/ndjson") return ndjson(req, body, res);
      reply(res, 404, { error: "no such endpoint" });
    } catch (e) {
      reply(res, 400, { error: String(e) });
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`));
