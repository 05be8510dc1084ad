import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without keys:manage (the page called forbidden()).
export default async function KeysForbidden() {
  return <Forbidden what="managing ingest keys" {...await forbiddenFacts("keys:manage")} />;
}
