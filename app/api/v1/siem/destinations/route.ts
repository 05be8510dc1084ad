// GET /api/v1/siem/destinations — SIEM destinations with lag and errors (siem:read); POST — create one (siem:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.siem.list;
export const POST = api.siem.create;
