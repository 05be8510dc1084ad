/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Native drivers stay real Node modules, never bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg"],
};

export default nextConfig;
