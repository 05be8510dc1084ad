// POST /api/v1/reviews/packs/{id}/signoff — mark a pack reviewed (reviews:signoff; logged)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.reviews.signoff;
