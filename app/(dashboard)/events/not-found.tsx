import Link from "next/link";
import "@/components/events/explorer.css";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { committedSize } from "@/lib/server/transparency/proofs.ts";

// HTTP 404 for /events/<not an entry>: what entries exist, and a way on.
export default async function EntryNotFound() {
  const size = await committedSize(await getRuntime());
  return (
    <main className="explorer">
      <section className="card stack" data-testid="event-not-found">
        <h1 className="page-title">No such entry</h1>
        <p className="muted">
          {size > 0
            ? `Entries are numbered 1 to ${size.toLocaleString("en-US")} (the log's size now); this address names none of them.`
            : "The log is empty: no entry has been appended yet."}
        </p>
        <p>
          <Link className="btn small" href="/events">
            Open the explorer
          </Link>
        </p>
      </section>
    </main>
  );
}
