import "server-only";
import { getLedger } from "../ledger/ledger.ts";
import { integrationRoutes } from "./routes.ts";

/** The integration handlers as the Next.js server mounts them, on the process-wide ledger. */
export const serverIntegrationRoutes = integrationRoutes(getLedger);
