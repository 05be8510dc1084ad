import { notFound } from "next/navigation";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { committedSize } from "@/lib/server/transparency/proofs.ts";

// Decided above the entry's loading.tsx, while the HTTP status can still change:
// 403 for a role that may not read events, 404 for a seq the log does not hold
// (seqs are gapless, 1…size, so the size answers without reading the entry).
export default async function EntryLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ seq: string }>;
}) {
  const { seq } = await params;
  await requirePagePermission(`/events/${encodeURIComponent(seq)}`, "events:read");
  if (!/^\d{1,15}$/.test(seq) || Number(seq) < 1 || Number(seq) > (await committedSize(await getRuntime()))) notFound();
  return children;
}
