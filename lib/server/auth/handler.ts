import "server-only";
import NextAuth from "next-auth";
import { getRuntime } from "../runtime/runtime.ts";
import { authOptions } from "./session.ts";

type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

/** The next-auth route handler, built once per runtime (the secret comes from the ledger's config). */
export async function nextAuthHandler(): Promise<Handler> {
  const rt = await getRuntime();
  return (rt.auth.handler ??= NextAuth(await authOptions())) as Handler;
}
