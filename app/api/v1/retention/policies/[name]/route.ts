// PUT, DELETE /api/v1/retention/policies/{name} — set or delete a retention policy (retention:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const PUT = api.retention.putPolicy;
export const DELETE = api.retention.deletePolicy;
