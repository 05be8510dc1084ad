import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// Unit tier: pure code beside its sources (*.test.ts). No database, no server.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./test/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "bin/**/*.test.ts", "components/**/*.test.ts"],
    exclude: ["**/*.int.test.ts", "node_modules/**"],
    // Speed is measured by `npm run bench`, not asserted here: vitest's 5 s default made the
    // CPU-heavy randomized cross-checks (merkle, scrypt) fail on a loaded 2-core machine.
    testTimeout: 30_000,
  },
});
