// POST /api/v1/k8s/audit — Kubernetes audit webhook backend (audit.k8s.io/v1 EventList): final-stage events become entries
import { serverIntegrationRoutes } from "@/lib/server/integrations/server-integration-routes.ts";

export const dynamic = "force-dynamic";

export const POST = serverIntegrationRoutes.postK8sAudit;
