import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without alerts:read (the page called forbidden()).
export default async function AlertsForbidden() {
  return <Forbidden what="alerts" {...await forbiddenFacts("alerts:read")} />;
}
