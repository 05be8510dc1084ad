import "server-only";
import { AppError } from "../errors.ts";
import { readBodyLimited } from "../ingest/ingest.ts";

/** A JSON object body (at most `maxBytes`), or a 400 that shows an example of what to send. */
export async function readJsonObject(
  req: Request,
  example: string,
  maxBytes = 128 * 1024,
): Promise<Record<string, unknown>> {
  const text = await readBodyLimited(req, maxBytes);
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AppError("bad_request", `The body is not a JSON object; send e.g. ${example}.`);
}
