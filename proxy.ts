import { NextResponse, type NextRequest } from "next/server";

// Next 16's proxy (formerly middleware): a convenience redirect to the sign-in
// page when there is no session cookie at all. It is NOT a guard — every page,
// route handler and server action checks the session and the role itself.
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(req: NextRequest) {
  if (SESSION_COOKIES.some((c) => req.cookies.has(c))) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/login";
  url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: APIs (and the tlog-tiles API under /tlog/) answer 401 themselves; static
  // assets and sign-in stay open.
  matcher: ["/((?!api/|tlog|_next/|login|favicon.ico|robots.txt).*)"],
};
