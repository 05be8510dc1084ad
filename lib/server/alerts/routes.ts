import "server-only";
import { uuidSchema } from "@/lib/schemas/api-params.ts";
import type { AlertRuleInput } from "@/lib/schemas/alerts.ts";
import { AppError } from "../errors.ts";
import { endpoint, parseParam, type ApiDeps } from "../http/endpoint.ts";
import { readJsonObject } from "../http/json-body.ts";
import { json } from "../http/problem.ts";
import {
  acknowledgeAlert,
  createAlertRule,
  deleteAlertRule,
  evaluateAlertsNow,
  listAlertRules,
  listAlerts,
  resolveAlert,
  retryAlertDelivery,
  setAlertRuleEnabled,
} from "./service.ts";

// /api/v1/alerts: alerts (alerts:read), their acknowledgement and resolution
// (alerts:acknowledge), and the rules (alerts:manage). docs/alerts.md.

const idOf = (what: string, list: string) => (id: string | undefined) =>
  parseParam(uuidSchema, id, "id", (raw) => ({
    detail: `${what} id (UUID)`,
    message: `"${raw}" is not ${what} id; list them with GET ${list}.`,
  }));
const alertId = idOf("an alert", "/api/v1/alerts");
const ruleId = idOf("an alert rule", "/api/v1/alerts/rules");
const deliveryId = idOf("a delivery", "/api/v1/alerts");

/** An optional {"comment": "…"} body; an empty body is no comment. */
async function noteBody(req: Request): Promise<{ comment?: string }> {
  if (req.headers.get("content-length") === "0" || !req.body) return {};
  return readJsonObject(req, '{"comment":"looking into it"}', 16 * 1024) as Promise<{ comment?: string }>;
}

export function alertRoutes(deps: ApiDeps) {
  const manage = { permission: "alerts:manage", sameOrigin: true } as const;
  const act = { permission: "alerts:acknowledge", sameOrigin: true } as const;
  return {
    // GET /api/v1/alerts — recent alerts (?state=open: the open ones) with their deliveries (alerts:read).
    list: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const sp = new URL(req.url).searchParams;
        const state = sp.get("state") ?? "all";
        if (state !== "open" && state !== "all")
          throw new AppError("bad_request", 'state must be "open" or "all".', {
            errors: [{ pointer: "/state", detail: 'one of "open", "all"' }],
          });
        return json({ items: await listAlerts(rt, (await caller())!, { state }) }, 200, requestId);
      },
      { permission: "alerts:read" },
    ),

    // POST /api/v1/alerts/{id}/acknowledge — firing → acknowledged, {"comment"} optional (alerts:acknowledge; logged).
    acknowledge: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) =>
        json(await acknowledgeAlert(rt, (await caller())!, alertId(params.id), await noteBody(req)), 200, requestId),
      act,
    ),

    // POST /api/v1/alerts/{id}/resolve — → resolved, {"comment"} optional (alerts:acknowledge; logged).
    resolve: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) =>
        json(await resolveAlert(rt, (await caller())!, alertId(params.id), await noteBody(req)), 200, requestId),
      act,
    ),

    // GET /api/v1/alerts/rules — every rule, and whether it reads the rollup (alerts:read).
    rules: endpoint(
      deps,
      async (_req, { requestId, rt, caller }) =>
        json({ items: await listAlertRules(rt, (await caller())!) }, 200, requestId),
      { permission: "alerts:read" },
    ),

    // POST /api/v1/alerts/rules — create a rule (alerts:manage; logged).
    createRule: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const body = await readJsonObject(
          req,
          '{"name":"denied-spike","filter":{"outcome":["denied"]},"condition":{"kind":"baseline"}}',
        );
        return json(await createAlertRule(rt, (await caller())!, body as AlertRuleInput), 201, requestId);
      },
      manage,
    ),

    // DELETE /api/v1/alerts/rules/{id} — remove a rule, resolving its open alerts (alerts:manage; logged).
    removeRule: endpoint<{ id: string }>(
      deps,
      async (_req, { requestId, rt, caller, params }) =>
        json(await deleteAlertRule(rt, (await caller())!, ruleId(params.id)), 200, requestId),
      manage,
    ),

    // POST /api/v1/alerts/rules/{id}/enabled — {"enabled": false} pauses a rule (alerts:manage; logged).
    setRuleEnabled: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const id = ruleId(params.id);
        const { enabled } = await readJsonObject(req, '{"enabled":false}');
        if (typeof enabled !== "boolean")
          throw new AppError("bad_request", "enabled must be true or false.", {
            errors: [{ pointer: "/enabled", detail: "a boolean" }],
          });
        return json(await setAlertRuleEnabled(rt, (await caller())!, id, enabled), 200, requestId);
      },
      manage,
    ),

    // POST /api/v1/alerts/deliveries/{id}/retry — send a failed delivery again (alerts:manage; logged).
    retryDelivery: endpoint<{ id: string }>(
      deps,
      async (_req, { requestId, rt, caller, params }) =>
        json(await retryAlertDelivery(rt, (await caller())!, deliveryId(params.id)), 200, requestId),
      manage,
    ),

    // POST /api/v1/alerts/evaluate — evaluate every rule and deliver now (alerts:manage).
    evaluate: endpoint(
      deps,
      async (_req, { requestId, rt, caller }) => json(await evaluateAlertsNow(rt, (await caller())!), 200, requestId),
      manage,
    ),
  };
}
