import "@/components/events/explorer.css";
import { Forbidden } from "@/components/layout/forbidden.tsx";
import { forbiddenFacts } from "@/lib/server/auth/page-access.ts";

// HTTP 403 for a role without events:read (thrown by the explorer's or an entry's layout).
export default async function EventsForbidden() {
  return <Forbidden what="exploring events" {...await forbiddenFacts("events:read")} />;
}
