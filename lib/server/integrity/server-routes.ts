import "server-only";
import { requestPrincipal } from "../auth/session.ts";
import { getLedger } from "../ledger/ledger.ts";
import { integrityRoutes } from "./routes.ts";

/** The integrity handlers as the Next.js server mounts them. */
export const integrityServerRoutes = integrityRoutes(getLedger, requestPrincipal);
