-- Dashboard users, their personal read tokens. Roles: see lib/server/auth/permissions.ts.

CREATE TABLE users (
  id              TEXT PRIMARY KEY,                 -- UUIDv7
  email           TEXT NOT NULL UNIQUE,             -- lower-cased
  name            TEXT,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'analyst')),
  password_hash   TEXT,                             -- scrypt; NULL for single-sign-on-only users
  auth_provider   TEXT NOT NULL DEFAULT 'password', -- 'password' or the OIDC provider id
  disabled_at     TEXT,
  session_version INTEGER NOT NULL DEFAULT 0,       -- bumped on password reset: older sessions end
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE read_tokens (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  name         TEXT,
  secret_hash  TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  revoked_at   TEXT,
  last_used_at TEXT
);
CREATE INDEX read_tokens_user ON read_tokens (user_id);
