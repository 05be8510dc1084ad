// GET /api/v1/alerts — recent alerts and their deliveries (alerts:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.alerts.list;
