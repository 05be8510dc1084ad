"use client";

import "@/components/trace/trace.css";
import { usePathname } from "next/navigation";
import { TraceSearch } from "@/components/trace/trace-search.tsx";
import { checkCorrelationId } from "@/lib/schemas/correlation-id.ts";

// HTTP 404 for /trace/<something no entry could carry>. Not-found pages get no
// props, so the reason is worked out again from the address.
export default function TraceNotFound() {
  const last = usePathname().split("/").pop() ?? "";
  let id = last;
  try {
    id = decodeURIComponent(last);
  } catch {
    // keep it as it came
  }
  const check = checkCorrelationId(id);
  return (
    <main className="trace-page">
      <section className="card stack" data-testid="trace-invalid">
        <h1 className="trace-title">Not a correlation id</h1>
        <p className="bad">
          No entry can carry this id{check.ok ? "" : `: it ${check.detail}`}. Correlation ids are at most 128
          characters, without control or bidirectional characters.
        </p>
        <TraceSearch />
      </section>
    </main>
  );
}
