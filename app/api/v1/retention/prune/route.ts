// POST /api/v1/retention/prune — dry-run counts or prune with receipts (retention:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.retention.postPrune;
