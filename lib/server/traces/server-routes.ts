import "server-only";
import { requestPrincipal } from "../auth/session.ts";
import { getLedger } from "../ledger/ledger.ts";
import { traceRoutes } from "./routes.ts";

/** The trace API as the Next.js server mounts it. */
export const traceServerRoutes = traceRoutes(getLedger, requestPrincipal);
