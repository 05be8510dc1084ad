import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without reviews:read (the page called forbidden()).
export default async function ReviewsForbidden() {
  return <Forbidden what="viewing review packs" {...await forbiddenFacts("reviews:read")} />;
}
