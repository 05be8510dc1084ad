import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without retention:manage (the page called forbidden()).
export default async function ErasureForbidden() {
  return (
    <Forbidden
      what="declaring personal fields and erasing personal data"
      {...await forbiddenFacts("retention:manage")}
    />
  );
}
