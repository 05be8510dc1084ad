// POST /api/v1/k8s/audit — Kubernetes audit webhook backend (audit.k8s.io/v1 EventList): final-stage events become entries
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.k8s.postAudit;
