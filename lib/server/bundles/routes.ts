import "server-only";
import fs from "node:fs";
import { Readable } from "node:stream";
import { parseEventFilter } from "@/lib/schemas/event-filter.ts";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import { createBundle, getBundle, listBundles, openBundleDownload } from "./service.ts";

// /api/v1/bundles: create, list, look at and download evidence bundles.

const MAX_BODY = 64 * 1024;

async function readFilterBody(req: Request) {
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
  const unknown = Object.keys(body).filter((k) => k !== "filter");
  if (unknown.length) {
    throw new AppError("bad_request", `Unknown field ${unknown[0]} (the body is {"filter": {…}}).`, {
      errors: unknown.map((k) => ({ pointer: `/${k}`, detail: "is not a known field" })),
    });
  }
  // No default: a bundle of the whole log is asked for as {"filter": {}}, never by forgetting the filter.
  if (!("filter" in body)) {
    throw new AppError(
      "bad_request",
      'The body needs a filter: {"filter": {…the explorer filter…}}; {"filter": {}} selects the whole log.',
      {
        errors: [{ pointer: "/filter", detail: "is required" }],
      },
    );
  }
  const parsed = parseEventFilter((body as { filter: unknown }).filter);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    throw new AppError(
      "bad_request",
      `filter.${first.param} ${first.detail}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more problem(s))` : ""}.`,
      {
        errors: parsed.errors.map((e) => ({ pointer: `/filter/${e.param}`, detail: e.detail })),
      },
    );
  }
  return parsed.value;
}

export function bundleRoutes(deps: ApiDeps) {
  return {
    // POST /api/v1/bundles — queue a bundle of the entries matching {"filter": …}: 202 {id} + Location (bundles:create; audited).
    create: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const filter = await readFilterBody(req);
        const { id } = await createBundle(rt, await caller(), filter);
        return json({ id }, 202, requestId, { location: `/api/v1/bundles/${id}` });
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
