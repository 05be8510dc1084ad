import "server-only";
import { z } from "zod";
import type { Permission } from "../auth/permissions.ts";
import { assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { assertSameOrigin } from "./csrf.ts";
import { route } from "./problem.ts";

// How every /api/v1 handler is built: one set of dependencies (the runtime and
// the caller), passed to each feature's routes by lib/server/http/api.ts, so
// the Next.js mount and the integration tests run the same code on their own
// runtime. A handler parses input and calls one use case; the use case checks
// the permission and writes the meta-audit entry.

export type ApiDeps = {
  runtime(): Promise<Runtime>;
  /** The caller: a personal read token or the session (null when neither). */
  principal(req: Request): Promise<Principal | null>;
};

export type EndpointContext<P> = {
  requestId: string;
  rt: Runtime;
  params: P;
  /** The caller, read once on first use (public routes never read a session). */
  caller(): Promise<Principal | null>;
};

type Options = {
  /**
   * Refuse callers without this permission before the body is read (401/403
   * first, not a 400 about a body they may not send); the use case checks
   * again — this only orders the answers.
   */
  permission?: Permission;
  /** A state-changing route that accepts the session cookie: refuse cross-site requests. */
  sameOrigin?: boolean;
};

export function endpoint<P = Record<string, never>>(
  deps: ApiDeps,
  handler: (req: Request, ctx: EndpointContext<P>) => Promise<Response>,
  options: Options = {},
) {
  return route<{ params?: Promise<P> }>(async (req, ctx) => {
    let principal: Promise<Principal | null> | null = null;
    const caller = () => (principal ??= deps.principal(req));
    if (options.permission) assertCan(await caller(), options.permission);
    if (options.sameOrigin) assertSameOrigin(req);
    const params = ((await ctx.params) ?? {}) as P;
    return handler(req, { requestId: ctx.requestId, rt: await deps.runtime(), params, caller });
  });
}

/**
 * Parses a path or query value with a schema from lib/schemas; a value it
 * refuses is a 400 naming the parameter, with `detail` as the reason.
 */
export function parseParam<T>(
  schema: z.ZodType<T>,
  value: string | null | undefined,
  name: string,
  describe: (raw: string) => { detail: string; message: string },
): T {
  const r = schema.safeParse(value ?? undefined);
  if (r.success) return r.data;
  const { detail, message } = describe(String(value ?? "").slice(0, 40));
  throw new AppError("bad_request", message, { errors: [{ parameter: name, detail }] });
}
