import "@/components/trace/trace.css";
import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without traces:read (the search page, or a timeline's layout).
export default async function TraceForbidden() {
  return <Forbidden what="viewing traces" {...await forbiddenFacts("traces:read")} />;
}
