// POST /api/v1/reviews/schedules — schedule a saved view, or a template (reviews:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.reviews.schedule;
