// PATCH /api/v1/views/{id} — rename or share a view; DELETE /api/v1/views/{id} — delete it (views:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const PATCH = api.views.update;
export const DELETE = api.views.remove;
