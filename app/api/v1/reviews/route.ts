// GET /api/v1/reviews — review schedules and packs (reviews:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.reviews.list;
