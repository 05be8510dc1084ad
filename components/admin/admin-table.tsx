/** A titled card with a table: the columns plus an Actions column, the rows, or one row saying why there are none. */
export function AdminTable({
  title,
  testId,
  columns,
  empty,
  rows,
}: {
  title: string;
  testId: string;
  columns: string[];
  empty: React.ReactNode;
  rows: React.ReactNode[];
}) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {/* Scrolls inside the card on narrow screens; focusable so the keyboard can scroll it too. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={title}>
        <table className="plain" data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
              <th>
                <span className="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 1} className="muted" data-testid="empty">
                  {empty}
                </td>
              </tr>
            ) : (
              rows
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
