-- Personal read tokens get scopes (issue 13 item 11): what a token may do beyond
-- reading, granted when it is created and never beyond its user's role (checked in
-- lib/server/auth). A space-separated list of lib/server/auth/permissions.ts
-- TOKEN_SCOPES; unknown words are ignored when read, so editing this column by hand
-- can take rights away but never add one a scope does not name.
--
-- Existing tokens get `events:read` only: a script that created bundles or started
-- integrity passes with an older token needs a new token with --scope.

ALTER TABLE read_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'events:read';
