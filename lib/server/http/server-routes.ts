import "server-only";
import { getLedger } from "../ledger/ledger.ts";
import { v1Routes } from "./v1.ts";

/** The handlers as the Next.js server mounts them, on the process-wide ledger. */
export const serverRoutes = v1Routes(getLedger);
