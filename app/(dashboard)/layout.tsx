import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { TopBar } from "@/components/layout/top-bar.tsx";
import { parseTheme, THEME_COOKIE } from "@/components/layout/theme.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

// Every dashboard page requires a signed-in user; each page checks its own
// permission too (a layout is not a guard for what the page does).
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const principal = await sessionPrincipal();
  if (!principal) redirect("/login");
  const { config } = await getRuntime();
  const links = [
    { href: "/", label: "Overview", show: true },
    { href: "/events", label: "Events", show: can(principal.role, "events:read") },
    { href: "/trace", label: "Traces", show: can(principal.role, "traces:read") },
    { href: "/integrity", label: "Integrity", show: can(principal.role, "integrity:read") },
    { href: "/bundles", label: "Bundles", show: can(principal.role, "bundles:read") },
    { href: "/archive", label: "Archive", show: can(principal.role, "archive:read") },
    { href: "/alerts", label: "Alerts", show: can(principal.role, "alerts:read") },
    { href: "/reviews", label: "Reviews", show: can(principal.role, "reviews:read") },
    { href: "/verify", label: "Verify", show: true },
    { href: "/admin/users", label: "Users", show: can(principal.role, "users:manage") },
    { href: "/admin/keys", label: "Ingest keys", show: can(principal.role, "keys:manage") },
    { href: "/admin/tokens", label: "Read tokens", show: can(principal.role, "tokens:manage") },
    { href: "/admin/retention", label: "Retention", show: can(principal.role, "retention:manage") },
    { href: "/admin/erasure", label: "Erasure", show: can(principal.role, "retention:manage") },
    { href: "/siem", label: "SIEM", show: can(principal.role, "siem:read") },
  ]
    .filter((l) => l.show)
    .map(({ href, label }) => ({ href, label }));
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <div className="shell">
      <TopBar origin={config.origin} links={links} email={principal.email} role={principal.role} theme={theme} />
      {/* The skip link's target: focusable by script only, so it is not a tab stop. */}
      <div id="main-content" tabIndex={-1} className="content">
        {children}
      </div>
    </div>
  );
}
