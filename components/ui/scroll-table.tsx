/**
 * A plain table that scrolls inside its box on narrow screens. The box is a focusable region
 * named `label`, so the keyboard can scroll it and a screen reader says what it holds.
 * `columns` are the header cells; a false one (a column the viewer may not use) is left out.
 */
export function ScrollTable({
  label,
  testId,
  columns,
  children,
}: {
  label: string;
  testId?: string;
  columns: Array<React.ReactNode | false>;
  children: React.ReactNode;
}) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table className="plain" data-testid={testId}>
        <thead>
          <tr>
            {columns
              .filter((c) => c !== false)
              .map((c, i) => (
                <th key={i}>{c}</th>
              ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
