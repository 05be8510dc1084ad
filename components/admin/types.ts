// Shapes the admin components receive from their pages: the data-access
// layer's serialized types, imported as types only (erased at build time, so no
// server code reaches the browser).
import type { IngestKeyInfo } from "@/lib/server/ingest/ingest-keys.ts";
import type { ReadTokenInfo } from "@/lib/server/auth/read-tokens.ts";
import type { UserInfo } from "@/lib/server/auth/users.ts";

export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export type UserRow = UserInfo;

export type IngestKeyRow = IngestKeyInfo;

export type ReadTokenRow = ReadTokenInfo;

export type Notice = { kind: "ok" | "error"; text: string } | null;

/** What an admin page's state hands its create card: pending flag, submit handler, notice, the secret to show once. */
export type CreateFormProps<S> = {
  pending: boolean;
  onSubmit: (e: React.FormEvent<HTMLFormElement>) => void;
  notice: Notice;
  secret: S | null;
  onSecretDone: () => void;
};
