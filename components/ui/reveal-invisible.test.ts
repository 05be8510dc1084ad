import { describe, expect, it } from "vitest";
import { revealInvisible, visibleText } from "./reveal-invisible.ts";

// Security regression (issue 13 item 6): a right-to-left override in `reason` displayed
// "evil" as "live", and zero-width characters made two names look the same. Free text
// keeps them (evidence), and every view shows them as marks through this formatter.

describe("visible format characters", () => {
  it("turns a right-to-left override into a mark, so 'evil' cannot display as 'live'", () => {
    expect(visibleText("user \u202elive\u202c")).toBe("user ⟨U+202E⟩live⟨U+202C⟩");
    expect(revealInvisible("a\u202eb")).toEqual([
      { text: "a" },
      { mark: "⟨U+202E⟩", title: "U+202E RIGHT-TO-LEFT OVERRIDE" },
      { text: "b" },
    ]);
  });

  it("marks zero-width, BOM, separators, tags and controls; leaves ordinary text, emoji and no-break spaces", () => {
    expect(visibleText("pay\u200bments")).toBe("pay⟨U+200B⟩ments");
    expect(visibleText("\ufeffx\u2028y\u{e0041}\u0000")).toBe("⟨U+FEFF⟩x⟨U+2028⟩y⟨U+E0041⟩⟨U+0000⟩");
    expect(visibleText("zürich \u{1F600} a\u00a0b שלום")).toBe("zürich \u{1F600} a\u00a0b שלום");
    expect(revealInvisible("plain")).toEqual([{ text: "plain" }]);
  });

  it("keeps surrounding astral characters intact", () => {
    expect(visibleText("\u{1F600}\u200d\u{1F600}")).toBe("\u{1F600}⟨U+200D⟩\u{1F600}");
  });
});
