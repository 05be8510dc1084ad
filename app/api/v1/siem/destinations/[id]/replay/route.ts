// POST /api/v1/siem/destinations/{id}/replay — send again from a seq (siem:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.siem.replay;
