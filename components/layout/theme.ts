// The colour scheme a user picked, kept in a cookie so the server renders
// <html data-theme> right on the first byte: no flash of the wrong theme and no
// inline script (the page must work under a nonce-only Content-Security-Policy).
// No cookie means "follow the system" (prefers-color-scheme, in CSS).

export const THEME_COOKIE = "ledgerline-theme";
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

/** Any cookie value (or none) → a theme; unknown values mean "system". */
export function parseTheme(v: string | undefined | null): Theme {
  return v === "light" || v === "dark" ? v : "system";
}

/** The Set-Cookie text for a choice: a year for light/dark, an expired cookie for "system". */
export function themeCookie(theme: Theme, secure: boolean): string {
  const base = `${THEME_COOKIE}=${theme === "system" ? "" : theme}; Path=/; SameSite=Lax${secure ? "; Secure" : ""}`;
  return theme === "system" ? `${base}; Max-Age=0` : `${base}; Max-Age=31536000`;
}
