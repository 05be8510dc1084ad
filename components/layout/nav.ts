// Which top-bar link is the page being shown (aria-current="page"): the link
// whose path is the current path or one of its parents ("/events" for
// "/events/42"); the overview only for "/" itself.
export function currentHref(pathname: string, hrefs: readonly string[]): string | null {
  let best: string | null = null;
  for (const href of hrefs) {
    const match = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
    if (match && (best === null || href.length > best.length)) best = href;
  }
  return best;
}
