import { requirePagePermission } from "@/lib/server/auth/page-access.ts";

// The explorer's permission is checked here, above its loading.tsx: once the
// skeleton streams the status is 200, so a 403 must be decided before it.
// (The explorer lives in this route group so that its skeleton does not wrap
// /events/[seq], which must be able to answer 404.)
export default async function ExplorerLayout({ children }: { children: React.ReactNode }) {
  await requirePagePermission("/events", "events:read");
  return children;
}
