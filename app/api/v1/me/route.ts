// GET /api/v1/me — who the caller is (session or personal read token) and what it may do (a token: its role within its scopes).
import { assertCan, effectivePermissions } from "@/lib/server/auth/principal.ts";
import { requestPrincipal } from "@/lib/server/auth/session.ts";
import { json, route } from "@/lib/server/http/problem.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (req, { requestId }) => {
  const p = await requestPrincipal(req);
  assertCan(p, "dashboard:view");
  return json(
    {
      email: p.email,
      role: p.role,
      via: p.via,
      ...(p.kind === "user" && p.via === "token" ? { scopes: p.scopes } : {}),
      permissions: effectivePermissions(p),
    },
    200,
    requestId,
  );
});
