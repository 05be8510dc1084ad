// POST /api/v1/alerts/{id}/resolve — resolve an alert (alerts:acknowledge; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.alerts.resolve;
