import { Instant } from "@/components/events/instant.tsx";
import { Card } from "@/components/ui/card.tsx";
import type { ErasedField } from "@/lib/server/events/personal-view.ts";

// Personal fields of a v2 leaf whose value was erased (docs/retention.md § Erasure): what
// is gone, when, and under which request and receipt. The leaf keeps the commitment (in
// the canonical JSON below), so the entry still verifies.

/** The erasure of `pointer` among an item's erased fields, if it was erased. */
export function erasedAt(erased: readonly ErasedField[] | undefined, pointer: string): ErasedField | undefined {
  return erased?.find((f) => f.pointer === pointer);
}

/**
 * "erased on <date> (request <ref>, receipt seq N)". `compact` (table cells, tooltips): the
 * date alone, the full instant on hover. `link: false` inside something that is itself a
 * link (a trace row) or cannot be clicked (a tooltip): the receipt seq as text.
 */
export function ErasedMarker({
  f,
  compact = false,
  link = true,
}: {
  f: ErasedField;
  compact?: boolean;
  link?: boolean;
}) {
  const when = f.erasedAt ? (
    compact ? (
      <time dateTime={f.erasedAt} title={f.erasedAt}>
        {f.erasedAt.slice(0, 10)}
      </time>
    ) : (
      <Instant iso={f.erasedAt} />
    )
  ) : null;
  const receipt =
    f.receiptSeq === null ? null : link ? (
      <a href={`/events/${f.receiptSeq}`} data-testid="erased-receipt-link">
        receipt seq {f.receiptSeq}
      </a>
    ) : (
      <>receipt seq {f.receiptSeq}</>
    );
  return (
    <span className="muted erased-marker" data-testid="erased-marker" data-pointer={f.pointer}>
      erased{when ? " on " : ""}
      {when} (request {f.request ?? "unknown"}
      {receipt && <>, {receipt}</>})
    </span>
  );
}

export function ErasedFields({ fields }: { fields: ErasedField[] }) {
  if (!fields.length) return null;
  return (
    <Card title="Erased personal fields" testId="erased-fields">
      <table className="plain fields">
        <tbody>
          {fields.map((f) => (
            <tr key={f.pointer}>
              <th scope="row" className="mono">
                {f.pointer}
              </th>
              <td>
                <ErasedMarker f={f} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
