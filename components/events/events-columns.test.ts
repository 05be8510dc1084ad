import { describe, expect, it } from "vitest";
import { EXPLORER_COLUMNS } from "@/lib/schemas/saved-view.ts";
import { buildColumns } from "./events-columns.tsx";

// A saved view names columns by id; the server checks them against EXPLORER_COLUMNS.
// A column added to the table and not to that list could never be saved.
describe("explorer columns", () => {
  it("are exactly the ids a saved view may name", () => {
    const ids = buildColumns("UTC", "UTC").map((c) => c.id ?? (c as { accessorKey?: string }).accessorKey);
    expect([...ids].sort()).toEqual([...EXPLORER_COLUMNS].sort());
  });
});
