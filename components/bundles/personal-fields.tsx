import { erasedPhrase, withheldPhrase } from "@/lib/core/bundle/personal-report.ts";
import type { PersonalReport } from "@/lib/core/bundle/verify.ts";

// The /verify report's personal fields: per committed pointer, how many of the bundle's entries
// disclosed it (value + salt, each checked against its commitment in this tab), withheld it (the
// manifest's signed list) or had it erased (the receipt and request) — the same counts and words
// as `verify-bundle` (lib/core/bundle/personal-report.ts).

export function PersonalFields({ personal }: { personal: PersonalReport }) {
  if (!personal.fields.length) return null;
  const u = personal.filterUncheckable;
  return (
    <div className="stack" data-testid="verify-personal">
      <h2 className="small">Personal fields</h2>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Personal fields">
        <table className="plain bundles-table">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Disclosed</th>
              <th scope="col">Withheld</th>
              <th scope="col">Erased</th>
            </tr>
          </thead>
          <tbody>
            {personal.fields.map((c) => (
              <tr key={c.pointer} data-testid="verify-personal-field" data-pointer={c.pointer}>
                <td className="mono">{c.pointer}</td>
                <td data-testid="disclosed">{c.disclosed}</td>
                <td data-testid="withheld">{withheldPhrase(personal, c)}</td>
                <td data-testid="erased">{erasedPhrase(c)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {u.count > 0 && (
        <p className="small" data-testid="verify-uncheckable">
          {u.count} entries could not be checked against the filter offline: the filter reads a field the bundle
          withholds or that was erased (seq {u.firstSeqs.join(", ")}
          {u.count > u.firstSeqs.length ? ", …" : ""}). The server matched the value it kept; nobody can re-check it
          from this bundle.
        </p>
      )}
    </div>
  );
}
