import { Instant } from "@/components/events/instant.tsx";
import { Card } from "@/components/ui/card.tsx";
import type { ErasedField } from "@/lib/server/events/personal-view.ts";

// Personal fields of a v2 leaf whose value was erased (docs/retention.md § Erasure): what
// is gone, when, and under which request and receipt. The leaf keeps the commitment (in
// the canonical JSON below), so the entry still verifies.

/** "erased on <date> (request <ref>)", linking the receipt. */
export function ErasedMarker({ f }: { f: ErasedField }) {
  return (
    <span className="muted" data-testid="erased-marker">
      erased{f.erasedAt ? " on " : ""}
      {f.erasedAt && <Instant iso={f.erasedAt} />} (request {f.request ?? "unknown"}
      {f.receiptSeq !== null && (
        <>
          , <a href={`/events/${f.receiptSeq}`}>receipt seq {f.receiptSeq}</a>
        </>
      )}
      )
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
