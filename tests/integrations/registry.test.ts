// Every registered integration is whole: its settings' documented examples make a valid stack;
// on such a stack it gets a scrape job Prometheus accepts, loads its rule file (with a promtool
// test beside it), adds a dashboard row and a Stack health entry, and every job the catalogue
// names is scraped. Nothing here names an integration: a new module registered in
// integrations/index.ts is held to all of it without editing this file.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { dockerEndpoints } from "../../catalog/containers";
import { loadSettings } from "../../components/settings";
import { settingsSource } from "../helpers/settings-source";
import { renderPrometheusConfig } from "../../configs/prometheus";
import { ruleAreas } from "../../configs/rules";
import { generatedDashboards } from "../../dashboards";
import {
  ALL_CONTAINERS,
  INTEGRATIONS,
  activeIntegrations,
  dashboardInput,
  integrationRuleAreas,
  integrationScrapeConfigs,
} from "../../integrations";
import { SecretSpec } from "../../integrations/integration";
import { readRuleFile } from "../../harness/alert-catalogue";
import { run, tempDir } from "../helpers/tools";

/** A stack with every integration on, each setting and secret at its documented example. */
function exampleStack() {
  const values: Record<string, string> = { integrations: JSON.stringify(INTEGRATIONS.map((i) => i.name)) };
  const secrets: Record<string, string> = {};
  for (const i of INTEGRATIONS) {
    for (const [k, s] of Object.entries(i.settings)) {
      const v = yaml.load(s.doc.example);
      values[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    for (const [k, s] of Object.entries(i.secrets as Readonly<Record<string, SecretSpec>>)) secrets[k] = s.example;
  }
  return loadSettings(settingsSource(values, secrets), "test", {});
}

const settings = exampleStack();
const active = activeIntegrations(settings.integrations);
const jobs = integrationScrapeConfigs(settings.integrations, settings.services);
const prometheusYml = renderPrometheusConfig({
  scrapeInterval: "15s",
  evaluationInterval: "15s",
  endpoints: dockerEndpoints(),
  services: [],
  integrationJobs: jobs,
  ruleFiles: [],
});
const scraped = new Set((yaml.load(prometheusYml) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((j) => j.job_name));

test("the documented examples turn every integration on", () => {
  expect(active.map((a) => a.integration.name)).toEqual(INTEGRATIONS.map((i) => i.name));
});

test("every job the catalogue names (core and exporters) has a scrape config; promtool accepts the file", () => {
  const named = Object.values(ALL_CONTAINERS).flatMap((e) => (e.job ? [e.job] : []));
  expect(named.filter((j) => !scraped.has(j))).toEqual([]);
  const file = path.join(tempDir("registry"), "prometheus.yml");
  fs.writeFileSync(file, prometheusYml);
  expect(run("promtool", ["check", "config", file]).status).toBe(0);
});

describe.each(INTEGRATIONS.map((i) => [i.name, i] as const))("integration %s", (_name, i) => {
  test("is scraped under its own job", () => {
    expect(scraped.has(i.job)).toBe(true);
  });

  test("loads its rule file, which has alerts, and has a promtool test beside it", () => {
    expect(
      integrationRuleAreas({ [i.name]: settings.integrations[i.name as keyof typeof settings.integrations] }).map((a) => a.file),
    ).toEqual([i.rules.file]);
    expect(path.dirname(i.rules.file)).toBe(path.dirname(i.rules.test));
    expect(fs.existsSync(i.rules.test)).toBe(true);
    const alerts = readRuleFile(i.rules.file)
      .groups.flatMap((g) => g.rules)
      .filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThan(0);
    const tested = fs.readFileSync(i.rules.test, "utf8");
    for (const a of alerts)
      expect({ alert: a.alert, tested: tested.includes(`alertname: ${a.alert}\n`) }).toEqual({ alert: a.alert, tested: true });
    // Loaded only when on: off, its area is not among the stack's rule files.
    const off = ruleAreas({ integrationAreas: integrationRuleAreas({}), backup: false }).map((a) => a.file);
    expect(off).not.toContain(i.rules.file);
  });

  test("adds its rows to the dashboards and its job to Stack health", () => {
    const dashboards = generatedDashboards(
      dashboardInput({
        services: [],
        kpis: [],
        integrations: { [i.name]: settings.integrations[i.name as keyof typeof settings.integrations] },
      }),
    );
    const json = JSON.stringify(dashboards.map((d) => d.dashboard));
    expect(i.dashboardRows.length).toBeGreaterThan(0);
    for (const row of i.dashboardRows) {
      expect(row.panels().length).toBeGreaterThan(0);
      expect({ row: row.title, shown: json.includes(`"title":${JSON.stringify(row.title)}`) }).toEqual({ row: row.title, shown: true });
    }
    const health = JSON.stringify(dashboards.find((d) => d.uid === "stack-health")?.dashboard);
    expect(health).toContain(i.job);
  });
});
