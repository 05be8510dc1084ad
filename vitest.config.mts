import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// Two projects, one config. `npm run test:unit` (--project unit): pure code
// beside its sources (*.test.ts), no database, no server. `npm run test:int`
// (--project integration): real SQLite files and a real PostgreSQL server,
// started by test/support/global-setup.int.ts as an unprivileged user on
// 127.0.0.1 (only when an integration test is queued) and removed afterwards.
// Every test makes its own database, so nothing to reset.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./test/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "bin/**/*.test.ts", "components/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          // Speed is measured by `npm run bench`, not asserted here: vitest's 5 s default made the
          // CPU-heavy randomized cross-checks (merkle, scrypt) fail on a loaded 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**", ".next/**"],
          globalSetup: ["test/support/global-setup.int.ts"],
          pool: "forks",
          // Generous: these spawn real processes and servers; a loaded CI machine must not turn slowness into failures
          // (speed is measured by `npm run bench`).
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
