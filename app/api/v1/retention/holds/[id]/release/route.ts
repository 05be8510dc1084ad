// POST /api/v1/retention/holds/{id}/release — release a legal hold (retention:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.retention.releaseHold;
