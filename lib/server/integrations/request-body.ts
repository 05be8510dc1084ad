import "server-only";
import zlib from "node:zlib";
import { AppError } from "../errors.ts";
import { readBodyBytesLimited } from "../ingest/ingest.ts";

// The body of an integration request: read with the ingest byte limit, then
// gunzipped when `Content-Encoding: gzip` (OTLP exporters and collectors compress by
// default) with the SAME limit on the output — a few KiB of gzip can inflate to
// gigabytes, so zlib stops at the limit (maxOutputLength) and the request gets 413.

export async function readIntegrationBody(req: Request, limit: number): Promise<Uint8Array> {
  const raw = await readBodyBytesLimited(req, limit);
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return raw;
  if (encoding !== "gzip" && encoding !== "x-gzip") {
    throw new AppError(
      "unsupported_media_type",
      `Content-Encoding "${encoding}" is not supported; send gzip or no encoding.`,
    );
  }
  return new Promise((resolve, reject) => {
    zlib.gunzip(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
        return reject(
          new AppError(
            "payload_too_large",
            `The request body inflates to more than ${limit} bytes; send smaller batches.`,
            { limit },
          ),
        );
      }
      reject(
        new AppError(
          "bad_request",
          `The body is not valid gzip (${(err as NodeJS.ErrnoException).code ?? "corrupt data"}).`,
        ),
      );
    });
  });
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The request body is not valid UTF-8.");
  }
}

/** The media type essence, lowercased, without parameters; "" when absent. */
export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}
