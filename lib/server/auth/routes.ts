import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { effectivePermissions } from "./principal.ts";

export function authRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/me — who the caller is (session or personal read token) and what it may do (a token: its role within its scopes).
    getMe: endpoint(
      deps,
      async (_req, { requestId, caller }) => {
        const p = (await caller())!; // checked by `permission` below
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
      },
      { permission: "dashboard:view" },
    ),
  };
}
