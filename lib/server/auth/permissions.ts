// Who may do what: one declarative table. Permissions are `resource:verb`;
// every data-access function and handler asks `can(role, permission)` — the
// proxy (proxy.ts) only redirects, it never decides.

export const ROLES = ["admin", "auditor", "analyst"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  "dashboard:view": ["admin", "auditor", "analyst"],
  "events:read": ["admin", "auditor", "analyst"],
  "traces:read": ["admin", "auditor", "analyst"],
  "integrity:read": ["admin", "auditor"],
  // Starting a full verification pass: a read of the whole log, minutes of CPU on a large
  // one. Admins and auditors (who answer for the log's integrity); never analysts.
  "integrity:run": ["admin", "auditor"],
  // Acknowledging a deleted checkpoint ends a standing integrity failure: admins only, and recorded.
  "integrity:acknowledge": ["admin"],
  // Saved views (lib/server/views): everyone who reads events saves their own, signed in
  // (not with a read token: tokens only read). Deleting someone else's shared view: admins.
  "views:manage": ["admin", "auditor", "analyst"],
  "views:moderate": ["admin"],
  "bundles:create": ["admin", "auditor"],
  "bundles:read": ["admin", "auditor"],
  "users:manage": ["admin"],
  // SIEM destinations carry a copy of the whole log out: only admins configure them; auditors see lag and errors.
  "siem:manage": ["admin"],
  "siem:read": ["admin", "auditor"],
  "keys:manage": ["admin"],
  "tokens:manage": ["admin"],
  "settings:manage": ["admin"],
  // Retention policies, legal holds and pruning decide what the log forgets: admins only, each change recorded.
  "retention:manage": ["admin"],
  // Reading the archive written before pruning (entries the log no longer holds): whoever reads bundles.
  "archive:read": ["admin", "auditor"],
  // Alerts (lib/server/alerts): everyone who reads sees them; on-call engineers (analysts) and admins
  // acknowledge and resolve (recorded); auditors review who did, they do not act. Rules send data out
  // and can silence detection: admins only.
  "alerts:read": ["admin", "auditor", "analyst"],
  "alerts:acknowledge": ["admin", "analyst"],
  "alerts:manage": ["admin"],
  // Review packs are evidence bundles with a report: whoever may read bundles reads them, and whoever
  // may create bundles schedules them. Sign-off is the PCI 10.4.1 review itself: auditors and admins,
  // who can open the pack's bundle; analysts cannot read bundles, so they cannot attest to one.
  "reviews:read": ["admin", "auditor"],
  "reviews:manage": ["admin", "auditor"],
  "reviews:signoff": ["admin", "auditor"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}

/**
 * What a personal read token may do (its scopes), each granted when the token is created
 * and never beyond its user's role. `events:read` is every token's: reading what the role
 * may read. The others are actions a script must be trusted with explicitly.
 */
export const TOKEN_SCOPES = ["events:read", "bundles:create", "integrity:run"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  "events:read": ["dashboard:view", "events:read", "traces:read", "integrity:read", "bundles:read", "reviews:read"],
  "bundles:create": ["bundles:create"],
  "integrity:run": ["integrity:run"],
};

export function isTokenScope(v: unknown): v is TokenScope {
  return typeof v === "string" && (TOKEN_SCOPES as readonly string[]).includes(v);
}

/** True when one of `scopes` covers `permission` (the role is checked separately). */
export function scopesAllow(scopes: readonly TokenScope[], permission: Permission): boolean {
  return scopes.some((s) => SCOPE_PERMISSIONS[s].includes(permission));
}

/** The scope that grants `permission`, for error messages; null when no token may ever have it. */
export function scopeFor(permission: Permission): TokenScope | null {
  return TOKEN_SCOPES.find((s) => SCOPE_PERMISSIONS[s].includes(permission)) ?? null;
}

/** A stored scope list → the known scopes, `events:read` first; unknown words are dropped (never granted). */
export function parseScopes(stored: string): TokenScope[] {
  const words = new Set(stored.split(/\s+/));
  return TOKEN_SCOPES.filter((s) => s === "events:read" || words.has(s));
}
