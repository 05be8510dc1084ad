// Shapes the admin components receive from their pages: the data-access
// layer's serialized types, imported as types only (erased at build time, so no
// server code reaches the browser).
import type { IngestKeyInfo } from "@/lib/server/ingest/ingest-keys.ts";
import type { ReadTokenInfo } from "@/lib/server/auth/read-tokens.ts";

export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export type UserRow = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  authProvider: string;
  disabledAt: string | null;
  createdAt: string;
};

export type IngestKeyRow = IngestKeyInfo;

export type ReadTokenRow = ReadTokenInfo;

export type Notice = { kind: "ok" | "error"; text: string } | null;
