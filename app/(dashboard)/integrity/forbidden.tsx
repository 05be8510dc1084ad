import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without integrity:read (the page called forbidden()).
export default async function IntegrityForbidden() {
  return <Forbidden what="viewing the integrity center" {...await forbiddenFacts("integrity:read")} />;
}
