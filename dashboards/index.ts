// Dashboards as code. `buildDashboards` returns every dashboard file Grafana should provision,
// keyed by "<Grafana folder>/<file>.json": the generated dashboards, plus any plain *.json file
// a user dropped directly into this directory (provisioned into the "Custom" folder, as is).
// Grafana's file provider with `foldersFromFilesStructure: true` turns the first path segment
// into the folder.
import * as fs from "fs";
import * as path from "path";
import type * as sdk from "@grafana/grafana-foundation-sdk/dashboard";
import { DashboardInput } from "./lib/input";
import { GeneratedDashboard } from "./lib/dashboard";
import { buildAlertsDashboard } from "./alerts";
import { buildDataServicesDashboard } from "./data-services";
import { buildInfrastructureDashboard } from "./infrastructure";
import { buildKpiDashboard } from "./kpis";
import { buildLogsDashboard } from "./logs";
import { buildOverviewDashboard } from "./overview";
import { buildServiceDashboard } from "./service";
import { buildStackHealthDashboard } from "./stack-health";

export type { GeneratedDashboard } from "./lib/dashboard";

/** Grafana folder of each generated dashboard. */
export const FOLDERS = {
  overview: "Overview",
  service: "Service",
  logs: "Logs",
  infrastructure: "Infrastructure",
  dataServices: "Database, cache and messaging",
  alerts: "Alerts",
  kpis: "Business KPIs",
  stackHealth: "Observability stack health",
  /** User-supplied JSON dashboards. */
  custom: "Custom",
} as const;

/** Where user dashboards are picked up from: this directory. */
export const DEFAULT_DASHBOARDS_DIR = __dirname;

export interface BuildOptions {
  /** Directory scanned for user *.json dashboards; defaults to dashboards/ itself. */
  readonly dir?: string;
}

/** The generated dashboards (no user JSON), in a stable order. */
export function generatedDashboards(input: DashboardInput): GeneratedDashboard[] {
  const out: GeneratedDashboard[] = [];
  const add = (folder: string, d: sdk.Dashboard | undefined) => {
    if (d) out.push({ folder, uid: d.uid as string, dashboard: d });
  };
  add(FOLDERS.overview, buildOverviewDashboard(input));
  add(FOLDERS.service, buildServiceDashboard(input));
  add(FOLDERS.logs, buildLogsDashboard());
  add(FOLDERS.infrastructure, buildInfrastructureDashboard());
  add(FOLDERS.dataServices, buildDataServicesDashboard(input));
  add(FOLDERS.alerts, buildAlertsDashboard());
  add(FOLDERS.kpis, buildKpiDashboard(input.kpis));
  add(FOLDERS.stackHealth, buildStackHealthDashboard(input));
  return out;
}

/** A user dashboard file after validation. */
export interface CustomDashboard {
  readonly file: string;
  readonly uid?: string;
  readonly title: string;
  readonly text: string;
}

/**
 * Reads every *.json file directly in `dir` (not in subdirectories). Each must parse as a JSON
 * object with a non-empty string `title`; otherwise an Error naming the file is thrown.
 */
export function customDashboards(dir: string = DEFAULT_DASHBOARDS_DIR): CustomDashboard[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(".json"))
    .map((e) => e.name)
    .sort();
  return files.map((file) => {
    const where = path.join(dir, file);
    const text = fs.readFileSync(where, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`Dashboard file ${where} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Dashboard file ${where} must hold a JSON object (a Grafana dashboard)`);
    }
    const { title, uid } = parsed as { title?: unknown; uid?: unknown };
    if (typeof title !== "string" || title.trim() === "") {
      throw new Error(`Dashboard file ${where} has no "title"; Grafana cannot provision it`);
    }
    if (uid !== undefined && uid !== null && typeof uid !== "string") {
      throw new Error(`Dashboard file ${where} has a non-string "uid"`);
    }
    return { file, title, text, ...(typeof uid === "string" && uid !== "" ? { uid } : {}) };
  });
}

/** JSON text of a dashboard as written to disk. */
export function dashboardJson(d: sdk.Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

/**
 * Every dashboard file to provision: "<Folder>/<uid>.json" → JSON text. User files keep their
 * name under "Custom/". Duplicate uids (a user file reusing a generated uid) are an error:
 * Grafana would provision only one of them.
 */
export function buildDashboards(input: DashboardInput, options: BuildOptions = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const uids = new Map<string, string>();
  const claim = (uid: string | undefined, where: string) => {
    if (!uid) return;
    const other = uids.get(uid);
    if (other) throw new Error(`Dashboard uid "${uid}" is used by both ${other} and ${where}`);
    uids.set(uid, where);
  };
  for (const g of generatedDashboards(input)) {
    const key = `${g.folder}/${g.uid}.json`;
    claim(g.uid, key);
    files[key] = dashboardJson(g.dashboard);
  }
  const dir = options.dir ?? DEFAULT_DASHBOARDS_DIR;
  for (const c of customDashboards(dir)) {
    const key = `${FOLDERS.custom}/${c.file}`;
    claim(c.uid, path.join(dir, c.file));
    files[key] = c.text;
  }
  return files;
}
