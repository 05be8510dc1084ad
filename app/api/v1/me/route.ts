// GET /api/v1/me — who the caller is (session or personal read token) and what its role allows.
import { permissionsOf } from "@/lib/server/auth/permissions.ts";
import { assertCan } from "@/lib/server/auth/principal.ts";
import { requestPrincipal } from "@/lib/server/auth/session.ts";
import { json, route } from "@/lib/server/http/problem.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (req, { requestId }) => {
  const p = await requestPrincipal(req);
  assertCan(p, "dashboard:view");
  return json({ email: p.email, role: p.role, via: p.via, permissions: permissionsOf(p.role) }, 200, requestId);
});
