import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import testTables from "./scripts/lint/test-table-rule.mjs";

// Next's rules (react, react-hooks, jsx-a11y, @next/next, import) and
// typescript-eslint's, plus the few rules that keep the architecture of
// docs/architecture.md honest: no import cycles, no unchecked read reachable
// from outside its feature, and server files short enough to read in one sitting.

const FUNCTION_LIMIT = { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true };

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "test/**", "e2e/**", "scripts/**"];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // Parts never reach back for the composition root; the graph is a tree.
      "import/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Entry points — pages, server actions, route handlers, the CLI — call use
    // cases (they take the principal, check it, record the meta-audit entry).
    // The unchecked reads behind them stay private to their feature.
    files: ["app/**", "bin/**", "components/**", "lib/server/http/**", "lib/server/*/routes.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/events/query.ts"],
              message: "Unchecked event reads: call searchEvents / summarizeEvents / viewEvent (events/search.ts).",
            },
            {
              group: ["**/traces/trace.ts"],
              importNames: ["queryTrace"],
              message: "Unchecked: call viewTrace, which checks traces:read and records the view.",
            },
            {
              group: ["**/integrity/status.ts", "**/integrity/verifier.ts"],
              allowTypeImports: true,
              message: "Call the integrity use cases (integrity/index.ts); the CLI runs runVerification from there.",
            },
          ],
        },
      ],
    },
  },
  {
    // A function too long to read in one sitting is split along its seams, everywhere:
    // app, components, lib, bin, scripts, test, e2e — tests too (a long scenario is split
    // into named steps, a long list of cases becomes a table).
    files: ["**/*.ts", "**/*.tsx", "**/*.mjs", "**/*.js", "**/*.cjs"],
    rules: {
      "max-lines-per-function": ["error", FUNCTION_LIMIT],
    },
  },
  {
    // In a test file the same limit, but a callback given to `describe` is a table of
    // test cases and is not measured itself; each test, hook and helper in it is.
    files: ["**/*.test.ts", "**/*.test.tsx", "e2e/**/*.spec.ts"],
    plugins: { ledgerline: testTables },
    rules: {
      "max-lines-per-function": "off",
      "ledgerline/max-lines-per-function-in-tests": ["error", FUNCTION_LIMIT],
    },
  },
  {
    // A server file too long to read in one sitting is split along its seams.
    files: ["lib/server/**/*.ts", "app/**/*.ts", "app/**/*.tsx"],
    ignores: TESTS,
    rules: {
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Declarative tables, exempt from the size limits for good: one entry per
    // route or column reads best as one list, not split across helpers.
    files: ["lib/server/http/openapi.ts"],
    rules: { "max-lines": "off" },
  },
  {
    // buildColumns is the explorer's column table (one entry per column, TanStack's own shape).
    files: ["components/events/events-columns.tsx"],
    rules: { "max-lines-per-function": "off" },
  },
  globalIgnores([
    ".next/**",
    "out/**",
    "build/**",
    "next-env.d.ts",
    "lib/generated/**",
    "data/**",
    "test-results/**",
    "playwright-report/**",
  ]),
]);
