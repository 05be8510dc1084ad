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
  },
});
