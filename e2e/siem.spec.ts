import { expect, test } from "@playwright/test";
import { received, startReceiver } from "../test/support/siem-receiver.ts";
import { signInAs } from "./support/auth.ts";

// The SIEM page as an admin and an auditor use it, against a real receiver process that
// checks the NDJSON wire format: add a destination, watch the copy catch up (lag 0, every
// record carries its proof fields), see an unreachable one's error and what to do, pause,
// replay, remove. An auditor sees the same figures and no buttons.

test("an admin streams to a SIEM, sees lag and errors, replays and removes; an auditor only reads", async ({
  page,
  browser,
}, info) => {
  test.setTimeout(180_000); // two destinations, a catch-up and an outage on a shared machine
  const rx = await startReceiver();
  try {
    await signInAs(page, info, "admin", "/siem");
    await page.waitForLoadState("networkidle");
    const name = `ndjson-${info.project.name}-${Date.now() % 100000}`;
    const form = page.getByTestId("siem-create-form");
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Kind").selectOption("https-ndjson");
    await form.getByLabel("URL").fill(`${rx.url}/ndjson`);
    await form.getByLabel("Start after").fill("now");
    await form.getByRole("button", { name: "Add destination" }).click();
    await expect(page.getByTestId("action-ok")).toContainText(`Added ${name}`);
    const row = page.getByTestId(`siem-row-${name}`);
    await expect(row.getByTestId("siem-state")).toHaveText("active");

    // Replay the last few covered entries: the receiver gets them with their proof anchors.
    const covered = Number((await page.getByTestId("siem-covered").innerText()).replace(/,/g, ""));
    expect(covered).toBeGreaterThan(3);
    await row.getByLabel(`Replay ${name} from seq`).fill(String(covered - 2));
    await row.getByRole("button", { name: "Replay" }).click();
    await expect(page.getByTestId("action-ok")).toContainText(`sends again from seq ${covered - 2}`);
    await expect
      .poll(() => received(rx).map((r) => r.record.seq), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([covered - 2, covered - 1, covered]));
    for (const r of received(rx)) {
      expect(r.record.leafHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(r.record.checkpointSize).toBeGreaterThanOrEqual(r.record.seq as number);
    }
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId(`siem-row-${name}`).getByTestId("siem-lag").innerText();
        },
        { timeout: 20_000 },
      )
      .toBe("0");

    // An unreachable receiver: the error and what happens next are on the row.
    rx.proc.kill();
    const bad = `down-${info.project.name}-${Date.now() % 100000}`;
    await form.getByLabel("Name").fill(bad);
    await form.getByLabel("Kind").selectOption("https-ndjson");
    await form.getByLabel("URL").fill(`${rx.url}/ndjson`);
    await form.getByRole("button", { name: "Add destination" }).click();
    await expect(page.getByTestId("action-ok")).toContainText(`Added ${bad}`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId(`siem-row-${bad}`).getByTestId("siem-error").innerText();
        },
        { timeout: 20_000 },
      )
      .toMatch(/Retried with back-off|Parked/);
    const badRow = page.getByTestId(`siem-row-${bad}`);
    await badRow.getByRole("button", { name: "Pause" }).click();
    await expect(badRow.getByTestId("siem-state")).toHaveText("paused");

    // The auditor reads the same table, without a form or buttons.
    const other = await browser.newContext();
    const ap = await other.newPage();
    await signInAs(ap, info, "auditor", "/siem");
    await expect(ap.getByTestId(`siem-row-${bad}`).getByTestId("siem-state")).toHaveText("paused");
    await expect(ap.getByTestId("siem-create-form")).toHaveCount(0);
    await expect(
      ap.getByTestId(`siem-row-${bad}`).getByRole("button", { name: /Pause|Resume|Replay|Remove/ }),
    ).toHaveCount(0);
    await other.close();

    for (const n of [name, bad]) {
      const r = page.getByTestId(`siem-row-${n}`);
      await r.getByRole("button", { name: "Remove" }).click();
      await r.getByTestId("confirm").click();
      await expect(page.getByTestId(`siem-row-${n}`)).toHaveCount(0);
    }
  } finally {
    rx.proc.kill();
  }
});
