// GET /api/v1/events/{seq} — one entry with its canonical JSON, leaf hash and covering checkpoint (events:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.events.get;
