"use client";

import { useEffect, type RefObject } from "react";

/**
 * Closes a popup (menu, popover, disclosure) the way people expect: Escape
 * closes it and gives focus back to its toggle; a press or a focus move outside
 * `inside` closes it without moving focus.
 */
export function useDismiss(
  open: boolean,
  close: () => void,
  inside: RefObject<HTMLElement | null>,
  toggle?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    if (!open) return;
    const outside = (t: EventTarget | null) => !(t instanceof Node && inside.current?.contains(t));
    const onKey = (e: KeyboardEvent) => {
      // An Esc something inside already handled (a field's own cancel) leaves the popup open.
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      close();
      toggle?.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (outside(e.target)) close();
    };
    const onFocus = (e: FocusEvent) => {
      if (outside(e.target)) close();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("focusin", onFocus);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("focusin", onFocus);
    };
  }, [open, close, inside, toggle]);
}
