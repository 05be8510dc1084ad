import "server-only";
import { requestPrincipal } from "../auth/session.ts";
import { getLedger } from "../ledger/ledger.ts";
import { eventReadRoutes } from "./routes.ts";

/** The read API as the Next.js server mounts it. */
export const eventServerRoutes = eventReadRoutes(getLedger, requestPrincipal);
