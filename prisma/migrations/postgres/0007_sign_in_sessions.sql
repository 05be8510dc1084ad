-- Sign-in attempt budgets and ended sessions (lib/server/auth/throttle.ts,
-- lib/server/auth/sessions.ts). Mutable working state, deliberately NOT
-- append-only-guarded: what happened is in the guarded log (every sign-in,
-- failure, throttled attempt and sign-out is a meta-audit entry).

-- One row per account ('account:<email>') or client IP ('ip:<address>'): attempts
-- in the fixed window that began at window_start. Counted BEFORE the password is
-- checked, by one atomic upsert, so concurrent attempts and every instance on a
-- shared database draw on the same budget.
CREATE TABLE sign_in_attempts (
  key          TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,                    -- ms since the epoch
  attempts     INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_window ON sign_in_attempts (window_start);

-- Sessions ended by sign-out before their expiry. A session (a JWT cookie) names
-- its id; the session check refuses one listed here. A row may go once the
-- session would have expired anyway (expires_at: sign-in time + maximum age).
CREATE TABLE ended_sessions (
  session_id TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  ended_at   TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX ended_sessions_expires ON ended_sessions (expires_at);
