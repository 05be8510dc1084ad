// POST /api/v1/reviews/schedules/{id}/run — run the last ended period now (reviews:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.reviews.run;
