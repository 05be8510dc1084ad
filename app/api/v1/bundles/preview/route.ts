// POST /api/v1/bundles/preview — the filter a bundle request resolves to and how many entries it holds now (bundles:create)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.bundles.preview;
