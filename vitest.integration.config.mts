import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// Integration tier: real SQLite files and a real PostgreSQL server, started by
// test/support/global-setup.int.ts as an unprivileged user on 127.0.0.1 and
// removed afterwards. Every test makes its own database, so nothing to reset.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./test/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.int.test.ts"],
    exclude: ["node_modules/**", ".next/**"],
    globalSetup: ["test/support/global-setup.int.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
