// POST /api/v1/siem/destinations/{id}/state — resume or pause a SIEM destination (siem:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.siem.setState;
