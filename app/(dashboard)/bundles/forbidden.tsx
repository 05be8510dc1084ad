import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without bundles:read (the page called forbidden()).
export default async function BundlesForbidden() {
  return <Forbidden what="viewing or downloading evidence bundles" {...await forbiddenFacts("bundles:read")} />;
}
