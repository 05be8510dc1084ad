import type { Notice } from "./types.ts";

/** The outcome of the last admin action: an error (alert) or a confirmation (status). */
export function NoticeLine({ notice }: { notice: Notice }) {
  if (!notice) return null;
  return notice.kind === "error" ? (
    <p role="alert" className="bad" data-testid="action-error">
      {notice.text}
    </p>
  ) : (
    <p role="status" className="ok" data-testid="action-ok">
      {notice.text}
    </p>
  );
}
