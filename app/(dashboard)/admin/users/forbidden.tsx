import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without users:manage (the page called forbidden()).
export default async function UsersForbidden() {
  return <Forbidden what="managing users" {...await forbiddenFacts("users:manage")} />;
}
