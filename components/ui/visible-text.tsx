import { Fragment } from "react";
import { revealInvisible } from "./reveal-invisible.ts";

/**
 * Text with its invisible and format characters shown as marks (⟨U+200B⟩, name on
 * hover) instead of acting on the layout — see reveal-invisible.ts. Plain text renders as
 * is; marked text is isolated (<bdi>) so right-to-left letters around it cannot
 * reorder the cell's neighbours either.
 */
export function VisibleText({ text }: { text: string }) {
  const parts = revealInvisible(text);
  if (parts.length === 1 && "text" in parts[0]!) return <>{text}</>;
  return (
    <bdi data-testid="visible-text">
      {parts.map((p, i) =>
        "text" in p ? (
          <Fragment key={i}>{p.text}</Fragment>
        ) : (
          <span key={i} className="invisible-mark" title={p.title}>
            {p.mark}
          </span>
        ),
      )}
    </bdi>
  );
}
