// GET /api/v1/checkpoint — latest signed checkpoint (public)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.checkpoint.get;
