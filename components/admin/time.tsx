/** An ISO timestamp as "2026-11-27 10:15 UTC" (same text on server and client). */
export function Time({ iso, empty = "never" }: { iso: string | null; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {iso.slice(0, 16).replace("T", " ")} UTC
    </time>
  );
}
