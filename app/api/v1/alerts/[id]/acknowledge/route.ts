// POST /api/v1/alerts/{id}/acknowledge — acknowledge a firing alert (alerts:acknowledge; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.alerts.acknowledge;
