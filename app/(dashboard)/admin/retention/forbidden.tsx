import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without retention:manage (the page called forbidden()).
export default async function RetentionForbidden() {
  return <Forbidden what="managing retention and legal holds" {...await forbiddenFacts("retention:manage")} />;
}
