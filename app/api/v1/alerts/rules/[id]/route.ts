// DELETE /api/v1/alerts/rules/{id} — remove an alert rule (alerts:manage; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const DELETE = api.alerts.removeRule;
