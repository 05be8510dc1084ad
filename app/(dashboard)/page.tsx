import { headers } from "next/headers";
import Link from "next/link";
import { viewHref } from "@/components/events/explorer-params.ts";
import { VerifierKeyCard } from "@/components/integrity/verifier-key-card.tsx";
import { Card } from "@/components/ui/card.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { publicOrigin } from "@/lib/server/http/public-origin.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { getLogStatus } from "@/lib/server/transparency/log-status.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { listViews } from "@/lib/server/views/service.ts";
import { listAlerts } from "@/lib/server/alerts/service.ts";
import { OpenAlertsCard } from "@/components/alerts/open-alerts-card.tsx";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const { principal } = await pagePrincipal("/", "dashboard:view");
  const rt = await getRuntime();
  const s = await getLogStatus(rt);
  const views = can(principal.role, "events:read") ? await listViews(rt, principal) : [];
  const openAlerts = can(principal.role, "alerts:read") ? await listAlerts(rt, principal, { state: "open" }) : null;
  const covered = s.checkpoint?.treeSize ?? 0;
  // The examples name this server as the viewer reached it, so they run as pasted.
  const origin = publicOrigin(await headers(), process.env.NEXTAUTH_URL);
  return (
    <main>
      <div className="page-head">
        <h1 className="page-title">Overview</h1>
        <span className="muted">
          The log <span className="mono">{s.origin}</span> at <span className="mono">{origin}</span>
        </span>
      </div>
      <div className="grid">
        <Card title="Entries in the log" testId="tree-size">
          <div className="stat">{s.treeSize.toLocaleString("en-US")}</div>
          <div className="muted">{s.store} store, append-only guards verified at start</div>
        </Card>
        <Card title="Latest signed checkpoint" testId="checkpoint">
          <div className="stat">{covered.toLocaleString("en-US")}</div>
          <div className="muted">
            {s.checkpoint ? `signed ${s.checkpoint.createdAt}` : "none yet — the log is empty"}
            {s.treeSize > covered ? ` · ${s.treeSize - covered} newer entries await the next checkpoint` : ""}
          </div>
        </Card>
        {openAlerts && <OpenAlertsCard open={openAlerts} />}
        <Card title="Active ingest keys">
          <div className="stat">{s.activeIngestKeys}</div>
          <div className="muted">
            create one with <code>npx ledgerline keys create --source &lt;identity&gt;</code>
          </div>
        </Card>
      </div>
      <div className="section">
        <Card title="Saved views" testId="saved-views">
          {views.length === 0 ? (
            <p className="muted">
              None yet. In <Link href="/events">Events</Link>, set a filter and choose Views → Save view; shared views
              appear here for everyone.
            </p>
          ) : (
            <ul className="saved-views-list" style={{ margin: 0, paddingLeft: 18, overflowWrap: "anywhere" }}>
              {views.map((v) => (
                <li key={v.id}>
                  <Link href={viewHref(v)}>{v.name}</Link>{" "}
                  <span className="muted">
                    {v.mine ? (v.shared ? "· shared by you" : "· private") : `· shared by ${v.owner}`}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <div className="section">
        <VerifierKeyCard verifierKey={s.verifierKey} fingerprint={s.fingerprint} testId="verifier-key" />
      </div>
      {s.checkpoint && (
        <div className="section">
          <Card title="Checkpoint note (GET /api/v1/checkpoint)">
            <pre>{s.checkpoint.note}</pre>
          </Card>
        </div>
      )}
      <div className="section">
        <Card title="Send an event">
          <pre data-testid="send-example">{`curl -sS -X POST ${origin}/api/v1/events \\
  -H "Authorization: Bearer $LEDGERLINE_KEY" -H "Content-Type: application/json" \\
  -d '{"timestamp":"${new Date().toISOString()}","eventType":"read",
       "requester":{"id":"spiffe://prod/ns/shop/sa/orders"},
       "target":{"id":"db://payments-pg/cardholder.cards","service":"payments"},
       "outcome":"success"}'`}</pre>
        </Card>
      </div>
    </main>
  );
}
