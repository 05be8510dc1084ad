// POST /api/v1/alerts/evaluate — evaluate every rule now (alerts:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.alerts.evaluate;
