// User dashboards: plain *.json files dropped directly into dashboards/ are provisioned as
// they are, into the "Custom" folder; a broken one stops the build with its file name.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildDashboards, customDashboards, DEFAULT_DASHBOARDS_DIR, FOLDERS } from "../../dashboards";
import { EMPTY_INPUT } from "../helpers/dashboard-fixtures";

let dir: string;

beforeEach(() => {
  // A temporary copy of dashboards/, so the real directory is never touched.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-custom-"));
  fs.cpSync(DEFAULT_DASHBOARDS_DIR, dir, { recursive: true });
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const userDashboard = {
  uid: "team-checkout",
  title: "Checkout funnel",
  panels: [{ id: 1, type: "stat", title: "Orders", targets: [{ refId: "A", expr: "sum(orders_total)" }] }],
  schemaVersion: 39,
};

describe("user-supplied JSON dashboards", () => {
  it("are included byte for byte under Custom/<file>", () => {
    const text = `${JSON.stringify(userDashboard, null, 4)}\n`;
    fs.writeFileSync(path.join(dir, "checkout.json"), text);
    const files = buildDashboards(EMPTY_INPUT, { dir });
    expect(files[`${FOLDERS.custom}/checkout.json`]).toBe(text);
    expect(JSON.parse(files[`${FOLDERS.custom}/checkout.json`])).toEqual(userDashboard);
    // The generated dashboards are still there.
    expect(files["Overview/overview.json"]).toBeDefined();
  });

  it("ignores non-JSON files and subdirectories", () => {
    fs.writeFileSync(path.join(dir, "README.md"), "# notes\n");
    fs.mkdirSync(path.join(dir, "drafts"), { recursive: true });
    fs.writeFileSync(path.join(dir, "drafts", "wip.json"), "{ not json");
    fs.writeFileSync(path.join(dir, "a.json"), JSON.stringify({ title: "A" }));
    expect(customDashboards(dir).map((c) => c.file)).toEqual(["a.json"]);
  });

  it("throws an error naming a file that is not valid JSON", () => {
    fs.writeFileSync(path.join(dir, "broken.json"), `{"title": "Broken",`);
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/broken\.json.*not valid JSON/);
  });

  it("throws an error naming a file without a title", () => {
    fs.writeFileSync(path.join(dir, "untitled.json"), JSON.stringify({ uid: "x", panels: [] }));
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/untitled\.json.*title/);
    fs.writeFileSync(path.join(dir, "untitled.json"), JSON.stringify({ title: "   " }));
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/untitled\.json/);
  });

  it("throws an error naming a file that is not a dashboard object", () => {
    fs.writeFileSync(path.join(dir, "list.json"), JSON.stringify([{ title: "x" }]));
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/list\.json/);
  });

  it("refuses a user dashboard that reuses a generated uid", () => {
    fs.writeFileSync(path.join(dir, "clash.json"), JSON.stringify({ uid: "overview", title: "Mine" }));
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/"overview".*clash\.json/);
  });

  it("refuses two user dashboards with the same uid", () => {
    fs.writeFileSync(path.join(dir, "one.json"), JSON.stringify({ uid: "same", title: "One" }));
    fs.writeFileSync(path.join(dir, "two.json"), JSON.stringify({ uid: "same", title: "Two" }));
    expect(() => buildDashboards(EMPTY_INPUT, { dir })).toThrow(/one\.json.*two\.json/);
  });

  it("treats a missing directory as holding no user dashboards", () => {
    expect(customDashboards(path.join(dir, "does-not-exist"))).toEqual([]);
  });
});
