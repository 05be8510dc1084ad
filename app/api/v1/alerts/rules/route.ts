// GET /api/v1/alerts/rules — alert rules (alerts:read); POST — create one (alerts:manage; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.alerts.rules;
export const POST = api.alerts.createRule;
