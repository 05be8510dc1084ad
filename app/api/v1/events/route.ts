// POST /api/v1/events — ingest events (SPEC §1)
// GET  /api/v1/events — filtered, keyset-paged entries for scripts and SIEMs (events:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.events.post;
export const GET = api.events.list;
