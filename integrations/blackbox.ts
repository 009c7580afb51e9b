// HTTP(S) endpoints probed by blackbox-exporter: the probed URL becomes `instance`, the exporter
// itself is only the transport.
import * as path from "node:path";
import { promBusyboxContract } from "../catalog/image-contracts";
import * as yaml from "js-yaml";
import { NOBODY } from "../catalog/containers";
import { certificateCriticalSecondsLeft } from "../configs/thresholds";
import { checkNoCredentialsInUrl } from "../configs/address-checks";
import { checkUrl, each } from "../configs/value-checks";
import { ServiceSettings } from "../configs/service-settings";
import { UP_DOWN_MAPPINGS, statPanel, timeSeries } from "../dashboards/lib/panels";
import { defineIntegration } from "./integration";

const JOB = "blackbox";
const MODULE = "http_2xx";
const CONFIG_FILE = "/etc/blackbox_exporter/config.yml";

/** Alert thresholds of blackbox.rules.yml. */
export const thresholds = {
  SlowProbe: {
    /** A health endpoint answering in more than 2 s is slow for any user. */
    seconds: 2,
  },
  TLSCertificateExpiringSoon: {
    /** Two weeks leave time for a renewal that goes through a change process. */
    secondsLeft: 14 * 86400,
    /** Below this TLSCertificateExpiryCritical takes over, so the two never fire together. */
    criticalSecondsLeft: certificateCriticalSecondsLeft,
  },
  TLSCertificateExpiryCritical: { secondsLeft: certificateCriticalSecondsLeft },
} as const;

export interface BlackboxConfig {
  readonly httpTargets: readonly string[];
}

/** blackbox.yml: the probe module the scrape job names. */
export function renderBlackboxConfig(): string {
  return yaml.dump(
    {
      modules: {
        [MODULE]: {
          prober: "http",
          timeout: "10s",
          http: {
            preferred_ip_protocol: "ip4",
            ip_protocol_fallback: true,
            follow_redirects: true,
            // An expired or untrusted certificate is an outage for users; fail the probe.
            fail_if_not_ssl: false,
          },
        },
      },
    },
    { lineWidth: -1 },
  );
}

/** `host:port` of a URL, with the scheme's default port made explicit. */
function urlAddress(url: string): string | undefined {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");
    return port ? `${u.hostname}:${port}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Probes of an application service's own address carry its `service` label, so that while
 * ServiceDown fires the probe's EndpointDown is inhibited instead of paging a second time.
 */
function probeStaticConfigs(
  urls: readonly string[],
  services: readonly ServiceSettings[],
): { targets: string[]; labels?: Record<string, string> }[] {
  const unowned: string[] = [];
  const owned = new Map<string, string[]>();
  for (const url of urls) {
    const address = urlAddress(url);
    const owner = services.find((s) => address !== undefined && s.targets.includes(address));
    if (owner) owned.set(owner.name, [...(owned.get(owner.name) ?? []), url]);
    else unowned.push(url);
  }
  return [
    ...(unowned.length > 0 ? [{ targets: unowned }] : []),
    ...[...owned].map(([service, targets]) => ({ targets, labels: { service } })),
  ];
}

const SOURCE = "prometheus/blackbox_exporter prober/http.go (checked against the blackbox_exporter binary)";

export const blackbox = defineIntegration({
  name: "blackbox",
  title: "HTTP endpoints (blackbox probes)",
  settings: {
    blackboxTargets: {
      type: "array",
      default: [],
      description: "URLs to probe over HTTP(S) (integration blackbox).",
      doc: { accepts: "http(s) URLs; required by integration blackbox", targets: "both", example: "[https://shop.example.com/health]" },
    },
  },
  secrets: {},
  read(v): BlackboxConfig {
    // A probe's URL becomes its `instance` label, in every alert about it: no credential in it.
    const httpTargets = v.value<readonly string[]>(
      "blackboxTargets",
      each((x) => checkNoCredentialsInUrl(String(x), undefined) ?? checkUrl(x)),
    );
    if (httpTargets.length === 0 && !v.hasProblem("blackboxTargets"))
      v.fail("blackboxTargets", "is empty; integration blackbox needs the http(s) URLs to probe");
    return { httpTargets };
  },
  exporter: {
    key: "blackboxExporter",
    entry: {
      container: "blackbox-exporter",
      title: "blackbox-exporter (integration blackbox)",
      image: "prom/blackbox-exporter:v0.29.0",
      limits: { cpus: 0.1, memoryMb: 64 },
      minMemoryMb: 16,
      port: 9115,
      job: JOB,
      user: NOBODY,
    },
    contract: promBusyboxContract(
      "blackbox_exporter",
      {
        tag: "indirect: quay.io/prometheus/blackbox-exporter:v0.29.0@sha256:c827aebd… and prom/blackbox-exporter:v0.29.0 in public code (v0.29.1, pinned before, was found nowhere)",
        dockerfile:
          "prometheus/blackbox_exporter Dockerfile (as every prom/* exporter): FROM quay.io/prometheus/busybox; /bin/blackbox_exporter; USER nobody",
      },
      ["wget"],
    ),
    writes: [],
    run: () => ({
      command: [`--config.file=${CONFIG_FILE}`],
      files: [{ path: CONFIG_FILE, content: renderBlackboxConfig() }],
      healthcheck: ["wget", "-q", "--spider", "http://localhost:9115/-/healthy"],
      appNetworks: true,
    }),
  },
  job: JOB,
  metricsExporter: "blackbox-exporter",
  scrapeConfigs: (c, ctx) => [
    {
      job_name: JOB,
      metrics_path: "/probe",
      params: { module: [MODULE] },
      static_configs: probeStaticConfigs(c.httpTargets, ctx.services),
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { target_label: "module", replacement: MODULE },
        { target_label: "__address__", replacement: ctx.exporter ?? "blackbox-exporter:9115" },
      ],
    },
  ],
  rules: { area: "probes", file: path.join(__dirname, "blackbox.rules.yml"), test: path.join(__dirname, "blackbox.rules.test.yml") },
  targetDownAlerts: [],
  dashboardRows: [{ dashboard: "overview", title: "Endpoint probes", panels }],
  metrics: [
    { verification: "live", source: SOURCE, names: ["probe_success", "probe_duration_seconds"] },
    { verification: "source", source: SOURCE, names: ["probe_ssl_earliest_cert_expiry"], note: "HTTPS targets only" },
  ],
  thresholds,
});

function panels() {
  const m = `job="${JOB}"`;
  return [
    statPanel("Endpoint probes", [{ expr: `probe_success{${m}}`, legend: "{{instance}}" }], {
      description: "Blackbox HTTP probes of the configured URLs (module http_2xx).",
      colorBackground: true,
      mappings: UP_DOWN_MAPPINGS,
      w: 8,
      h: 6,
    }),
    timeSeries("Probe duration", [{ expr: `probe_duration_seconds{${m}}`, legend: "{{instance}}" }], {
      unit: "s",
      // Red where SlowProbe fires.
      thresholds: [{ value: thresholds.SlowProbe.seconds, color: "red" }],
      showThresholds: true,
      w: 8,
      h: 6,
    }),
    statPanel("TLS certificate expires in", [{ expr: `probe_ssl_earliest_cert_expiry{${m}} - time()`, legend: "{{instance}}" }], {
      description: "Only HTTPS targets report a certificate.",
      unit: "s",
      baseColor: "red",
      // Orange once TLSCertificateExpiryCritical no longer fires, green once TLSCertificateExpiringSoon does not.
      thresholds: [
        { value: thresholds.TLSCertificateExpiryCritical.secondsLeft, color: "orange" },
        { value: thresholds.TLSCertificateExpiringSoon.secondsLeft, color: "green" },
      ],
      noValue: "no HTTPS targets",
      w: 8,
      h: 6,
    }),
  ];
}
