// Where to go after signing in (or out): only a path on this origin. A check
// like `startsWith("/") && !startsWith("//")` lets `/\evil.example` and
// `/<TAB>/evil.example` through, and browsers read both as `//evil.example`
// (backslash is a slash in http(s) URLs; tab and newlines are stripped). So the
// value is parsed as a URL against a placeholder origin and must stay on it,
// backslashes and control characters are refused outright (in the path also
// once percent-decoded, for anything that decodes twice), and the result is
// rebuilt from the parsed path, query and fragment. Shared by the login page,
// the sign-in form, next-auth's redirect callback and proxy.ts.

const PLACEHOLDER = "http://callback.invalid";
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

function looksHostile(s: string): boolean {
  return !s.startsWith("/") || s.startsWith("//") || UNSAFE.test(s);
}

/** `raw` when it is a same-origin path (normalized), else `fallback`. */
export function safeCallbackPath(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048 || looksHostile(raw)) return fallback;
  // Only the path can turn into another origin; a query may hold any encoded text.
  const pathPart = raw.split(/[?#]/, 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return fallback;
  }
  if (looksHostile(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return looksHostile(path) ? fallback : path;
}

/**
 * For next-auth's `redirect` callback: a same-origin absolute URL or path
 * becomes `baseUrl` + its safe path; anything else goes to `baseUrl` + "/".
 */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let path = "/";
  if (url.startsWith("/")) path = safeCallbackPath(url);
  else {
    try {
      const u = new URL(url);
      if (u.origin === base.origin) path = safeCallbackPath(`${u.pathname}${u.search}${u.hash}`);
    } catch {
      path = "/";
    }
  }
  return `${base.origin}${path}`;
}
