"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { AppError } from "@/lib/server/errors.ts";
import { eraseSubject, type EraseReport } from "@/lib/server/retention/erase.ts";
import { declarePersonalField, undeclarePersonalField } from "@/lib/server/retention/personal-fields.ts";

// Erasure and personal-field declarations from the dashboard: the same use cases the CLI
// calls (`ledgerline erase`, `ledgerline personal-fields`), which check retention:manage,
// validate (pointer rules, request reference) and append the meta-audit entry first.

/** The form's value: text as typed, or JSON when the "value is JSON" box is ticked (the CLI's --json-value). */
function valueOf(text: unknown, asJson: unknown): unknown {
  const t = str(text);
  if (!t) throw new AppError("bad_request", "Give the value to erase (the data subject's IP, user name, …).");
  if (asJson !== true) return t;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    throw new AppError("bad_request", `The value is not valid JSON (e.g. 42 or {"id": "x"}); untick "JSON" for text.`);
  }
}

export async function declareFieldAction(input: {
  source: string;
  pointer: string;
}): Promise<ActionResult<{ source: string; pointer: string; auditSeq: number }>> {
  const p = await sessionPrincipal();
  return runAction("declarePersonalField", async () => {
    const r = await declarePersonalField(await getRuntime(), signedIn(p), {
      source: str(input?.source).trim(),
      pointer: str(input?.pointer).trim(),
    });
    revalidatePath("/admin/erasure");
    return { source: r.source, pointer: r.pointer, auditSeq: r.auditSeq };
  });
}

export async function undeclareFieldAction(input: {
  source: string;
  pointer: string;
}): Promise<ActionResult<{ source: string; pointer: string }>> {
  const p = await sessionPrincipal();
  return runAction("undeclarePersonalField", async () => {
    const v = { source: str(input?.source), pointer: str(input?.pointer) };
    await undeclarePersonalField(await getRuntime(), signedIn(p), v);
    revalidatePath("/admin/erasure");
    return v;
  });
}

export async function eraseAction(input: {
  field: string;
  value: string;
  json: boolean;
  request: string;
  dryRun: boolean;
}): Promise<ActionResult<{ report: EraseReport }>> {
  const p = await sessionPrincipal();
  return runAction("eraseSubject", async () => {
    const report = await eraseSubject(await getRuntime(), signedIn(p), {
      field: str(input?.field).trim(),
      value: valueOf(input?.value, input?.json),
      request: str(input?.request),
      dryRun: input?.dryRun !== false,
    });
    if (!report.dryRun) revalidatePath("/admin/erasure");
    return { report };
  });
}
