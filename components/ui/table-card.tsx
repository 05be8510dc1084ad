import { Card } from "./card.tsx";
import { ScrollTable } from "./scroll-table.tsx";

/** A titled card holding one table (named after the card): `intro` above it, `footer` below it, the rows as children. */
export function TableCard({
  title,
  testId,
  columns,
  intro,
  footer,
  children,
}: {
  title: string;
  testId: string;
  columns: string[];
  intro?: React.ReactNode;
  footer?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <Card title={title} testId={testId}>
      {intro}
      <ScrollTable label={title} columns={columns}>
        {children}
      </ScrollTable>
      {footer}
    </Card>
  );
}
