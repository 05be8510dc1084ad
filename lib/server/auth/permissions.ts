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
  "bundles:create": ["admin", "auditor"],
  "bundles:read": ["admin", "auditor"],
  "users:manage": ["admin"],
  "keys:manage": ["admin"],
  "tokens:manage": ["admin"],
  "settings:manage": ["admin"],
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
