// GET|POST /api/auth/* — next-auth (sign-in, sign-out, session, CSRF token, SSO callback).
import { nextAuthHandler } from "@/lib/server/auth/handler.ts";
import { throttledAsTooManyRequests } from "@/lib/server/auth/throttle-route.ts";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ nextauth: string[] }> };

export async function GET(req: Request, ctx: Ctx) {
  return (await nextAuthHandler())(req, ctx);
}

export async function POST(req: Request, ctx: Ctx) {
  return throttledAsTooManyRequests(req, await (await nextAuthHandler())(req, ctx));
}
