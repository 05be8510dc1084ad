// POST /api/v1/alerts/rules/{id}/enabled — enable or pause an alert rule (alerts:manage; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.alerts.setRuleEnabled;
