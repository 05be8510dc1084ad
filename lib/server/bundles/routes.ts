import "server-only";
import fs from "node:fs";
import { Readable } from "node:stream";
import { explorerQueryFromText, explorerSelection, type RangeId } from "@/components/events/explorer-params.ts";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { parseEventFilter, type FilterIssue } from "@/lib/schemas/event-filter.ts";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import { createBundle, getBundle, listBundles, openBundleDownload, previewBundle } from "./service.ts";

// /api/v1/bundles: create, list, look at and download evidence bundles.

const MAX_BODY = 64 * 1024;

type Selection = { filter: EventFilter; range: RangeId | null };

function badFilter(errors: FilterIssue[], prefix: string): AppError {
  const first = errors[0]!;
  return new AppError(
    "bad_request",
    `${prefix}${first.param} ${first.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more problem(s))` : ""}.`,
    { errors: errors.map((e) => ({ pointer: `/${prefix.replace(/\.$/, "")}/${e.param}`, detail: e.detail })) },
  );
}

/**
 * `{"explorer": "<an Events link or its query>"}`: resolved exactly as the
 * explorer page resolves it (components/events/explorer-params.ts), on this
 * server's clock, now — a preset such as range=24h becomes absolute from/to,
 * a link without time bounds is the page's 7-day default, range=all is all time.
 */
function resolveExplorerLink(link: unknown): Selection {
  if (typeof link !== "string" || link.length > 8192)
    throw new AppError(
      "bad_request",
      "explorer must be an Events link or its query string (at most 8192 characters).",
      {
        errors: [{ pointer: "/explorer", detail: "must be a string" }],
      },
    );
  const query = explorerQueryFromText(link);
  if (!query.ok) throw badFilter(query.errors, "explorer.");
  const sel = explorerSelection(query.value, Date.now());
  if (!sel.ok) throw badFilter(sel.errors, "explorer.");
  return sel.value;
}

/** `"withhold": ["/requester/ip", …]`: personal fields the bundle must not disclose (checked by createBundle). */
function withholdOf(body: object): string[] {
  if (!("withhold" in body)) return [];
  const w = (body as { withhold: unknown }).withhold;
  if (!Array.isArray(w) || w.some((p) => typeof p !== "string"))
    throw new AppError("bad_request", 'withhold must be a list of JSON pointers, e.g. ["/requester/ip"].', {
      errors: [{ pointer: "/withhold", detail: "must be a list of strings" }],
    });
  return w as string[];
}

async function readSelectionBody(req: Request): Promise<Selection & { withhold: string[] }> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new AppError("unsupported_media_type", 'Send the request as application/json: {"filter": {…}}.');
  // Refused while reading (and at once on a declared Content-Length), never after buffering all of it.
  const text = await readBodyLimited(req, MAX_BODY).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "payload_too_large") {
      throw new AppError(
        "payload_too_large",
        `The request body exceeds ${MAX_BODY} bytes; a bundle request is only {"filter": {…the explorer filter…}}.`,
        { limit: MAX_BODY },
      );
    }
    throw e;
  });
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("bad_request", 'The body is not valid JSON; send {"filter": {…the explorer filter…}}.');
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new AppError("bad_request", 'The body must be a JSON object: {"filter": {…}}.');
  const unknown = Object.keys(body).filter((k) => k !== "filter" && k !== "explorer" && k !== "withhold");
  if (unknown.length) {
    throw new AppError(
      "bad_request",
      `Unknown field ${unknown[0]} (the body is {"filter": {…}} or {"explorer": "…"}).`,
      {
        errors: unknown.map((k) => ({ pointer: `/${k}`, detail: "is not a known field" })),
      },
    );
  }
  if ("filter" in body && "explorer" in body)
    throw new AppError(
      "bad_request",
      "Send either filter or explorer, not both: they could select different entries.",
      {
        errors: [{ pointer: "/explorer", detail: "cannot be combined with filter" }],
      },
    );
  const withhold = withholdOf(body);
  if ("explorer" in body) return { ...resolveExplorerLink((body as { explorer: unknown }).explorer), withhold };
  // No default: a bundle of the whole log is asked for as {"filter": {}}, never by forgetting the filter.
  if (!("filter" in body)) {
    throw new AppError(
      "bad_request",
      'The body needs a filter: {"filter": {…the explorer filter…}} or {"explorer": "<an Events link>"}; {"filter": {}} selects the whole log.',
      {
        errors: [{ pointer: "/filter", detail: "is required" }],
      },
    );
  }
  const parsed = parseEventFilter((body as { filter: unknown }).filter);
  if (!parsed.ok) throw badFilter(parsed.errors, "filter.");
  return { filter: parsed.value, range: null, withhold };
}

export function bundleRoutes(deps: ApiDeps) {
  return {
    // POST /api/v1/bundles — queue a bundle of {"filter": …} or {"explorer": link} (+ "withhold": [pointers]): 202 {id, filter, withheld} + Location (bundles:create; audited).
    create: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const { filter, withhold } = await readSelectionBody(req);
        const { id, withheld } = await createBundle(rt, await caller(), filter, { withhold });
        return json({ id, filter, withheld }, 202, requestId, { location: `/api/v1/bundles/${id}` });
      },
      { permission: "bundles:create", sameOrigin: true },
    ),

    // POST /api/v1/bundles/preview — the resolved filter and its entry count, before creating (bundles:create).
    preview: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const { filter, range } = await readSelectionBody(req);
        const preview = await previewBundle(rt, await caller(), filter);
        return json({ ...preview, range, resolvedAt: new Date().toISOString() }, 200, requestId);
      },
      { permission: "bundles:create", sameOrigin: true },
    ),

    // GET /api/v1/bundles — the latest bundles with status and progress (bundles:read).
    list: endpoint(deps, async (_req, { requestId, rt, caller }) =>
      json({ bundles: await listBundles(rt, await caller()) }, 200, requestId),
    ),

    // GET /api/v1/bundles/{id} — one bundle: status, progress, count, size, sha256 (bundles:read).
    get: endpoint<{ id: string }>(deps, async (_req, { requestId, rt, caller, params }) =>
      json(await getBundle(rt, await caller(), params.id), 200, requestId),
    ),

    // GET /api/v1/bundles/{id}/download — the ZIP, streamed from disk (bundles:read; audited).
    download: endpoint<{ id: string }>(deps, async (_req, { requestId, rt, caller, params }) => {
      const d = await openBundleDownload(rt, await caller(), params.id);
      const body = Readable.toWeb(
        fs.createReadStream(d.file, { highWaterMark: 1 << 20 }),
      ) as ReadableStream<Uint8Array>;
      return new Response(body, {
        status: 200,
        headers: {
          "content-type": "application/zip",
          "content-length": String(d.size),
          "content-disposition": `attachment; filename="${d.filename}"`,
          "repr-digest": `sha-256=:${Buffer.from(d.sha256, "hex").toString("base64")}:`,
          "x-content-type-options": "nosniff",
          "cache-control": "no-store",
          "x-request-id": requestId,
        },
      });
    }),
  };
}
