import { ReviewsBoard } from "@/components/reviews/reviews-board.tsx";
import { Card } from "@/components/ui/card.tsx";
import { can } from "@/lib/server/auth/permissions.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listReviews } from "@/lib/server/reviews/service.ts";
import { REVIEW_TEMPLATES } from "@/lib/server/reviews/templates.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { listViews } from "@/lib/server/views/service.ts";
import { runReviewAction, scheduleReviewAction, scheduleTemplateAction, signOffAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reviews · Ledgerline" };

export default async function ReviewsPage({ searchParams }: { searchParams: Promise<{ view?: string }> }) {
  const principal = await requirePagePermission("/reviews", "reviews:read");
  const rt = await getRuntime();
  const state = await listReviews(rt, principal);
  const manage = can(principal.role, "reviews:manage");
  const views = manage ? await listViews(rt, principal) : [];
  const { view } = await searchParams;
  return (
    <main className="stack">
      <div className="page-head">
        <h1 className="page-title">Reviews</h1>
        <span className="muted">
          Saved views on a schedule: each period becomes a signed evidence bundle with a readable report, and a
          reviewer&apos;s sign-off is recorded in the log (PCI DSS 10.4.1).
        </span>
      </div>
      <Card title="Review schedules and packs" testId="reviews">
        <ReviewsBoard
          schedules={state.schedules}
          packs={state.packs}
          views={views.map((v) => ({ id: v.id, name: v.name }))}
          templates={REVIEW_TEMPLATES.map((t) => ({ id: t.id, title: t.title, why: t.why }))}
          preselectedView={typeof view === "string" ? view : ""}
          can={{ manage, signoff: can(principal.role, "reviews:signoff") }}
          actions={{
            schedule: scheduleReviewAction,
            template: scheduleTemplateAction,
            run: runReviewAction,
            signOff: signOffAction,
          }}
        />
      </Card>
    </main>
  );
}
