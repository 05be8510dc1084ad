import "@/components/events/explorer.css";
import { getLedger } from "@/lib/server/ledger/ledger.ts";
import { committedSize } from "@/lib/server/proofs.ts";

// HTTP 404 for /events/<not an entry>: what entries exist, and a way on.
export default async function EntryNotFound() {
  const size = await committedSize(await getLedger());
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
          <a className="btn small" href="/events">
            Open the explorer
          </a>
        </p>
      </section>
    </main>
  );
}
