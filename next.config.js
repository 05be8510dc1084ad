/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  experimental: { authInterrupts: true },
  // `npm run typecheck` (tsc over the whole tree, bin/ and tests included) is the
  // type gate, run first by `npm test`; no need to type-check again per build.
  typescript: { ignoreBuildErrors: true },
  // Native drivers stay real Node modules, never bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg"],
};

export default nextConfig;
