// GET /api/v1/retention — retention policies and legal holds (retention:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.retention.get;
