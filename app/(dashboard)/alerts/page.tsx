import { AlertsBoard } from "@/components/alerts/alerts-board.tsx";
import { RulesAdmin } from "@/components/alerts/rules-admin.tsx";
import { listAlertRules, listAlerts } from "@/lib/server/alerts/service.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import {
  acknowledgeAction,
  createRuleAction,
  deleteRuleAction,
  evaluateAction,
  resolveAction,
  retryDeliveryAction,
} from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Alerts · Ledgerline" };

export default async function AlertsPage() {
  const principal = await requirePagePermission("/alerts", "alerts:read");
  const rt = await getRuntime();
  const [open, recent, rules] = await Promise.all([
    listAlerts(rt, principal, { state: "open" }),
    listAlerts(rt, principal, { state: "all", limit: 50 }),
    listAlertRules(rt, principal),
  ]);
  const last = rt.alerts.last;
  return (
    <main className="stack">
      <header>
        <h1>Alerts</h1>
        <p className="muted">
          Rules are evaluated from the rollups every few seconds; each firing, acknowledgement and resolution is an
          entry of the log (source <span className="mono">ledgerline:alerts</span>).
          {last ? ` Last evaluation ${last.at}: ${last.rules} rules in ${last.ms.toFixed(0)} ms.` : ""}
          {last?.error ? ` It failed: ${last.error}` : ""}
        </p>
      </header>
      <AlertsBoard
        open={open}
        history={recent.filter((a) => a.state === "resolved")}
        canAcknowledge={can(principal.role, "alerts:acknowledge")}
        canRetry={can(principal.role, "alerts:manage")}
        actions={{ acknowledge: acknowledgeAction, resolve: resolveAction, retry: retryDeliveryAction }}
      />
      <RulesAdmin
        rules={rules}
        canManage={can(principal.role, "alerts:manage")}
        actions={{ create: createRuleAction, remove: deleteRuleAction, evaluate: evaluateAction }}
      />
    </main>
  );
}
