import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without tokens:manage (the page called forbidden()).
export default async function TokensForbidden() {
  return <Forbidden what="managing read tokens" {...await forbiddenFacts("tokens:manage")} />;
}
