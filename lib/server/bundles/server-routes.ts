import "server-only";
import { requestPrincipal } from "../auth/session.ts";
import { getLedger } from "../ledger/ledger.ts";
import { bundleRoutes } from "./routes.ts";

/** The bundle handlers as the Next.js server mounts them. */
export const bundleServerRoutes = bundleRoutes(getLedger, requestPrincipal);
