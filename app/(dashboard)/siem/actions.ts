"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { AppError } from "@/lib/server/errors.ts";
import {
  createSiemDestination,
  deleteSiemDestination,
  replaySiemDestination,
  setSiemDestinationState,
} from "@/lib/server/siem/service.ts";
import type { SiemFormat, SiemKind } from "@/lib/core/siem/wire.ts";
import type { DestinationFormInput } from "@/lib/schemas/siem.ts";

// SIEM destinations from the dashboard. The use cases check siem:manage again, validate
// the input with the same zod schema as the API and the CLI, and log every change.

function optionsOf(text: unknown): Record<string, unknown> {
  const t = str(text).trim();
  if (!t) return {};
  try {
    const v: unknown = JSON.parse(t);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AppError("bad_request", `The options are not a JSON object (e.g. {"index": "ledgerline"}).`);
}

function startOf(text: unknown): "beginning" | "now" | number {
  const t = str(text).trim();
  if (t === "" || t === "beginning") return "beginning";
  if (t === "now") return "now";
  if (!/^\d{1,15}$/.test(t)) throw new AppError("bad_request", `Start after must be "beginning", "now" or a seq.`);
  return Number(t);
}

export async function createDestinationAction(
  input: DestinationFormInput,
): Promise<ActionResult<{ id: string; name: string; cursorSeq: number }>> {
  const p = await sessionPrincipal();
  return runAction("createSiemDestination", async () => {
    const secret = str(input?.secret);
    const r = await createSiemDestination(await getRuntime(), signedIn(p), {
      name: str(input?.name).trim(),
      kind: str(input?.kind) as SiemKind,
      format: str(input?.format) as SiemFormat,
      url: str(input?.url).trim(),
      ...(secret ? { secret } : {}),
      options: optionsOf(input?.options),
      startAfterSeq: startOf(input?.start),
    });
    revalidatePath("/siem");
    return r;
  });
}

export async function setDestinationStateAction(
  id: string,
  state: "active" | "paused",
): Promise<ActionResult<{ id: string; state: string }>> {
  const p = await sessionPrincipal();
  return runAction("setSiemDestinationState", async () => {
    const r = await setSiemDestinationState(
      await getRuntime(),
      signedIn(p),
      str(id),
      state === "active" ? "active" : "paused",
    );
    revalidatePath("/siem");
    return r;
  });
}

export async function replayDestinationAction(
  id: string,
  fromSeq: string,
): Promise<ActionResult<{ id: string; cursorSeq: number }>> {
  const p = await sessionPrincipal();
  return runAction("replaySiemDestination", async () => {
    const n = str(fromSeq).trim();
    if (!/^\d{1,15}$/.test(n)) throw new AppError("bad_request", "Replay from must be a seq (a whole number ≥ 1).");
    const r = await replaySiemDestination(await getRuntime(), signedIn(p), str(id), { fromSeq: Number(n) });
    revalidatePath("/siem");
    return r;
  });
}

export async function deleteDestinationAction(id: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("deleteSiemDestination", async () => {
    const r = await deleteSiemDestination(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/siem");
    return { id: r.id };
  });
}
