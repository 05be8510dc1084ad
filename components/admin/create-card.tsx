import type { Notice } from "./types.ts";
import { NoticeLine } from "./notice-line.tsx";

/**
 * The card above each admin table: a one-line form that creates what the table lists
 * (or, when nothing can be created, why), a hint, the secret shown once, the notice.
 */
export function CreateCard({
  title,
  formTestId,
  formLabel,
  submitLabel,
  pending,
  onSubmit,
  unavailable,
  hint,
  secret,
  notice,
  children,
}: {
  title: string;
  formTestId: string;
  formLabel: string;
  submitLabel: string;
  pending: boolean;
  onSubmit: (e: React.FormEvent<HTMLFormElement>) => void;
  /** Shown instead of the form when nothing can be created now. */
  unavailable?: React.ReactNode;
  hint: React.ReactNode;
  secret: React.ReactNode;
  notice: Notice;
  children: React.ReactNode;
}) {
  return (
    <section className="card stack">
      <h2>{title}</h2>
      {unavailable ? (
        <p className="muted" data-testid={formTestId}>
          {unavailable}
        </p>
      ) : (
        <form
          className="inline"
          style={{ flexWrap: "wrap", alignItems: "end" }}
          onSubmit={onSubmit}
          data-testid={formTestId}
          aria-label={formLabel}
        >
          {children}
          <button type="submit" className="btn primary" disabled={pending}>
            {pending ? "Working…" : submitLabel}
          </button>
        </form>
      )}
      <p className="muted">{hint}</p>
      {secret}
      <NoticeLine notice={notice} />
    </section>
  );
}

/** A credential's status cell: revoked, blocked for another reason, or active. */
export function CredentialStatus({
  revokedAt,
  blocked,
}: {
  revokedAt: string | null;
  blocked?: { label: string; why: string };
}) {
  if (revokedAt)
    return (
      <span className="badge bad" data-testid="status" title={`revoked ${revokedAt}`}>
        revoked
      </span>
    );
  if (blocked)
    return (
      <span className="badge bad" data-testid="status" title={blocked.why}>
        {blocked.label}
      </span>
    );
  return (
    <span className="badge ok" data-testid="status">
      active
    </span>
  );
}
