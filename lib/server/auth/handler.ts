import "server-only";
import NextAuth from "next-auth";
import { authOptions } from "./session.ts";

type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;
const g = globalThis as typeof globalThis & { __ledgerlineNextAuth?: Handler };

/** The next-auth route handler, built once the ledger (and so the secret) is available. */
export async function nextAuthHandler(): Promise<Handler> {
  return (g.__ledgerlineNextAuth ??= NextAuth(await authOptions()) as unknown as Handler);
}
