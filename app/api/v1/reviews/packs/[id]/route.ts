// GET /api/v1/reviews/packs/{id} — one review pack (reviews:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.reviews.pack;
