// Generates both Prisma clients (SQLite and PostgreSQL read models) after install.
// Prisma 7's CLI insists on locating a native schema engine before any command,
// and downloading one is impossible offline; `generate` never runs it, so any
// existing file satisfies the check. The generated client needs no engine.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = require.resolve("prisma/build/index.js");
for (const dialect of ["sqlite", "postgres"]) {
  const r = spawnSync(process.execPath, [cli, "generate", "--schema", `prisma/${dialect}/schema.prisma`], {
    env,
    stdio: "inherit",
  });
  if (r.status !== 0) {
    console.error(`prisma generate failed for prisma/${dialect}/schema.prisma (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}
