// DELETE /api/v1/siem/destinations/{id} — remove a SIEM destination (siem:manage; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const DELETE = api.siem.remove;
