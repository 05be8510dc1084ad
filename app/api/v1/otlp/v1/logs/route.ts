// POST /api/v1/otlp/v1/logs — OTLP/HTTP logs receiver (JSON or protobuf, gzip): access records become entries
import { serverIntegrationRoutes } from "@/lib/server/integrations/server-integration-routes.ts";

export const dynamic = "force-dynamic";

export const POST = serverIntegrationRoutes.postOtlpLogs;
