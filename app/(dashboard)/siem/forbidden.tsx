import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without siem:read (the page called forbidden()).
export default async function SiemForbidden() {
  return <Forbidden what="the SIEM streaming destinations" {...await forbiddenFacts("siem:read")} />;
}
