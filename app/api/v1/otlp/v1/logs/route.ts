// POST /api/v1/otlp/v1/logs — OTLP/HTTP logs receiver (JSON or protobuf, gzip): access records become entries
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.otlp.postLogs;
