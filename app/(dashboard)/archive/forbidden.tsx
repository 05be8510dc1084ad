import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without archive:read (the page called forbidden()).
export default async function ArchiveForbidden() {
  return <Forbidden what="searching the archive of pruned entries" {...await forbiddenFacts("archive:read")} />;
}
