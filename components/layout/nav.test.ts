import { describe, expect, it } from "vitest";
import { currentHref } from "./nav.ts";

const links = ["/", "/events", "/trace", "/bundles", "/verify", "/admin/users", "/admin/keys"];

describe("currentHref", () => {
  it("marks the overview only on / itself", () => {
    expect(currentHref("/", links)).toBe("/");
    expect(currentHref("/nowhere", links)).toBeNull();
  });
  it("marks a section on its own page and on the pages below it", () => {
    expect(currentHref("/events", links)).toBe("/events");
    expect(currentHref("/events/42", links)).toBe("/events");
    expect(currentHref("/trace/abc%20def", links)).toBe("/trace");
    expect(currentHref("/admin/keys", links)).toBe("/admin/keys");
  });
  it("does not take a longer sibling for a child", () => {
    expect(currentHref("/eventsx", links)).toBeNull();
    expect(currentHref("/verifying", links)).toBeNull();
  });
  it("prefers the most specific link", () => {
    expect(currentHref("/admin/users/7", ["/admin", "/admin/users"])).toBe("/admin/users");
  });
});
