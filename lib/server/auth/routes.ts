import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { permissionsOf } from "./permissions.ts";

export function authRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/me — who the caller is (session or personal read token) and what its role allows.
    getMe: endpoint(
      deps,
      async (_req, { requestId, caller }) => {
        const p = (await caller())!; // checked by `permission` below
        return json({ email: p.email, role: p.role, via: p.via, permissions: permissionsOf(p.role) }, 200, requestId);
      },
      { permission: "dashboard:view" },
    ),
  };
}
