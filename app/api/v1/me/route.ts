// GET /api/v1/me — who the caller is (session or personal read token) and what it may do (a token: its role within its scopes).
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.me.get;
