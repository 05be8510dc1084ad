// POST /api/v1/alerts/deliveries/{id}/retry — send a failed delivery again (alerts:manage; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.alerts.retryDelivery;
