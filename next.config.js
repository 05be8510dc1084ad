/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  experimental: { authInterrupts: true },
  // `npm run typecheck` (tsc over the whole tree, bin/ and tests included) is the
  // type gate, run first by `npm test`; no need to type-check again per build.
  typescript: { ignoreBuildErrors: true },
  // Native drivers stay real Node modules, never bundled; pdfkit too, as it reads its
  // standard-font metrics from its own package directory at run time (review reports).
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pdfkit"],
  // Security headers that are the same on every response, static assets included
  // (lib/server/http/security-headers.ts has the same values and the pages' CSP,
  // which needs a per-request nonce and is set by proxy.ts).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
      {
        source: "/api/:path*",
        headers: [
          {
            key: "Content-Security-Policy",
            value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
          },
        ],
      },
    ];
  },
};

export default nextConfig;
