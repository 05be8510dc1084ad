// GET /api/v1/openapi.json — the OpenAPI 3.1 description of every /api/v1 route (public)
import { openApiDocument } from "@/lib/server/http/openapi.ts";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument, { headers: { "cache-control": "public, max-age=300" } });
}
