import "server-only";
import { requestPrincipal } from "../auth/session.ts";
import { getLedger } from "../ledger/ledger.ts";
import { tlogRoutes } from "./routes.ts";

/** The tiles API as the Next.js server mounts it, on the process-wide ledger. */
export const tlogServerRoutes = tlogRoutes(getLedger, requestPrincipal);
