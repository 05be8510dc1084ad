import { ScrollTable } from "@/components/ui/scroll-table.tsx";

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
      <ScrollTable
        label={title}
        testId={testId}
        columns={[
          ...columns,
          <span key="actions" className="muted">
            Actions
          </span>,
        ]}
      >
        {rows.length === 0 ? (
          <tr>
            <td colSpan={columns.length + 1} className="muted" data-testid="empty">
              {empty}
            </td>
          </tr>
        ) : (
          rows
        )}
      </ScrollTable>
    </section>
  );
}
