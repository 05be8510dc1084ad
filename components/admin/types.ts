// Shapes the admin components receive from their pages. Structural copies of
// the data-access layer's serialized types, so components never import server code.

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

export type IngestKeyRow = {
  id: string;
  source: string;
  description: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

export type ReadTokenRow = {
  id: string;
  userEmail: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

export type Notice = { kind: "ok" | "error"; text: string } | null;
