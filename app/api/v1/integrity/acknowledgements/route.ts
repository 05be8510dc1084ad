// POST /api/v1/integrity/acknowledgements — an admin acknowledges deleted checkpoints (integrity:acknowledge; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.integrity.acknowledge;
