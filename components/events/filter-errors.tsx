import Link from "next/link";
import type { FilterIssue } from "@/lib/schemas/event-filter.ts";

// What the explorer shows for a URL it cannot run: every problem, by parameter,
// and a way out. Never a 500 and never a silently widened query.
// With `dropped`, the explorer ran without those parameters and marks their fields.
export function FilterErrors({ errors, dropped = false }: { errors: FilterIssue[]; dropped?: boolean }) {
  return (
    <section className="card banner bad filter-errors" data-testid="filter-error" role="alert">
      <strong>
        {dropped
          ? "Part of this link's filter is not valid: it is left out below, and its field is marked"
          : "This link's filter is not valid"}
      </strong>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            <code>{e.param}</code> {e.detail}
          </li>
        ))}
      </ul>
      <span className="inline">
        <Link className="btn small" href="/events">
          Start over with the default filter
        </Link>
        <span className="muted">Fix the parameter in the address bar, or start over.</span>
      </span>
    </section>
  );
}
