import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Next's rules (react, react-hooks, jsx-a11y, @next/next, import) and
// typescript-eslint's, plus the few rules that keep the architecture of
// docs/architecture.md honest: no import cycles, no unchecked read reachable
// from outside its feature, and server files short enough to read in one sitting.

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
    // A file or function too long to read in one sitting is split along its
    // seams (declarative tables and JSX pages aside: see the overrides below).
    files: ["lib/server/**/*.ts", "app/**/*.ts", "app/**/*.tsx"],
    ignores: TESTS,
    rules: {
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // Declarative tables, exempt from the size limits for good.
    files: ["lib/server/http/openapi.ts"],
    rules: { "max-lines": "off" },
  },
  {
    // Exempt only until the branches that own these files land (issue 17 "split"
    // and issue 13 "sec-auth"/"sec-data" are rewriting them right now); delete
    // each entry when its file is split, so the limits apply again.
    files: [
      "lib/server/auth/options.ts", // sec-auth: buildAuthOptions
      "lib/server/ingest/parse/json-scan.ts", // sec-data: scanJson
      "lib/server/integrations/otlp-mapping.ts", // sec-data: mapOtlpRecord
      "lib/server/integrations/otlp-protobuf.ts", // sec-data: OTLP duplicate keys
      "lib/server/integrations/routes.ts", // split: the k8s handler's mapping
    ],
    rules: { "max-lines": "off", "max-lines-per-function": "off" },
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
