// alertmanager.yml: routing by severity, a heartbeat route for Watchdog, and inhibition.
// Credentials never appear here: every integration reads its secret from a file that the
// AlertingStack uploads next to this config.
import * as yaml from "js-yaml";
import { CLUSTER_LABEL, MEMBER_LABEL } from "./cluster";

export interface AlertmanagerReceivers {
  readonly slack?: { readonly channels: { readonly critical: string; readonly warning: string; readonly info: string } };
  readonly email?: {
    readonly to: string;
    readonly from: string;
    readonly smarthost: string;
    readonly username?: string;
    readonly requireTls: boolean;
  };
  readonly pagerduty?: boolean;
  readonly webhook?: boolean;
  readonly heartbeat?: boolean;
}

export interface AlertmanagerConfigInput {
  readonly receivers: AlertmanagerReceivers;
  /** Directory holding the secret files inside the container. */
  readonly secretsDir: string;
  /** Alerts that say their target is down (integrations/index.ts, TARGET_DOWN_ALERTS). */
  readonly targetDownAlerts: readonly string[];
  /** A member of the redundant pair (the `highAvailability` setting): adds pairInhibitRules. */
  readonly pair?: boolean;
}

/** File names (under secretsDir) of each credential. */
export const SECRET_FILES = {
  slack: "slack_webhook_url",
  pagerduty: "pagerduty_routing_key",
  webhook: "webhook_url",
  heartbeat: "heartbeat_url",
  email: "smtp_password",
} as const;

/** Receiver names are stable: routing tests and runbooks refer to them. */
export const RECEIVERS = {
  default: "default",
  critical: "critical",
  warning: "warning",
  info: "info",
  heartbeat: "heartbeat",
} as const;

export const ROUTE_TIMINGS = {
  root: { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
  critical: { group_wait: "10s", repeat_interval: "1h" },
  warning: { repeat_interval: "12h" },
  info: { group_wait: "5m", group_interval: "30m", repeat_interval: "24h" },
  heartbeat: { group_wait: "0s", group_interval: "1m", repeat_interval: "1m" },
} as const;

/**
 * The core stack's alerts that name the target that is down; each makes TargetUnreachable for it
 * redundant. Integrations add theirs (integrations/index.ts, TARGET_DOWN_ALERTS).
 */
export const CORE_TARGET_DOWN_ALERTS = ["ServiceDown", "GrafanaDown", "AlertmanagerDown", "LokiDown", "LogAgentDown"] as const;

/**
 * Inhibitions: a louder alert about the same thing mutes the quieter one. `equal` names the
 * labels that make it "the same thing"; targets require those labels, because Alertmanager
 * treats two missing labels as equal.
 */
export function inhibitRules(targetDownAlerts: readonly string[]) {
  return [
    {
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ["alertname", "service"],
    },
    {
      source_matchers: ['alertname="ServiceDown"'],
      target_matchers: ['alertname!="ServiceDown"', 'service=~".+"'],
      equal: ["service"],
    },
    {
      // A component's own "down" alert already says its target is unreachable; the generic
      // warning would only repeat it.
      source_matchers: [`alertname=~"${targetDownAlerts.join("|")}"`],
      target_matchers: ['alertname="TargetUnreachable"', 'instance=~".+"'],
      equal: ["job", "instance"],
    },
    {
      source_matchers: ['alertname="HighLatencyP99"'],
      target_matchers: ['alertname="HighLatencyP95"', 'service=~".+"'],
      equal: ["service"],
    },
    {
      source_matchers: ['alertname="DiskSpaceCritical"'],
      target_matchers: ['alertname=~"DiskSpaceLow|DiskWillFillIn24Hours"'],
      equal: ["instance", "mountpoint"],
    },
    {
      source_matchers: ['alertname="CriticalCPUUsage"'],
      target_matchers: ['alertname="HighCPUUsage"', 'name=~".+"'],
      equal: ["name"],
    },
    {
      source_matchers: ['alertname="CriticalMemoryUsage"'],
      target_matchers: ['alertname="HighMemoryUsage"', 'name=~".+"'],
      equal: ["name"],
    },
  ];
}

/**
 * The redundant pair's inhibitions (rules/cluster.yml; its alerts and the `member` and `cluster`
 * labels exist only on the pair). A member none of whose services answers is one fact: the down
 * alerts of its services would only repeat it, one page per service.
 */
export function pairInhibitRules(targetDownAlerts: readonly string[]) {
  return [
    {
      source_matchers: ['alertname="PairMemberUnreachable"'],
      target_matchers: [`alertname=~"${["TargetUnreachable", ...targetDownAlerts].join("|")}"`, `${MEMBER_LABEL}=~".+"`],
      equal: [MEMBER_LABEL],
    },
    {
      // And what the survivor sees of it from its side: its Alertmanager has lost its peer, its
      // Prometheus cannot send to the lost Alertmanager. `cluster` is the pair's external label.
      source_matchers: ['alertname="PairMemberUnreachable"'],
      target_matchers: ['alertname=~"AlertmanagerClusterFailedPeers|PrometheusErrorSendingAlerts"', `${CLUSTER_LABEL}=~".+"`],
      equal: [CLUSTER_LABEL],
    },
    {
      // Two running Alertmanagers that do not gossip: each has a failed peer too.
      source_matchers: ['alertname="AlertmanagerMembersInconsistent"'],
      target_matchers: ['alertname="AlertmanagerClusterFailedPeers"', `${MEMBER_LABEL}=~".+"`],
      equal: [MEMBER_LABEL],
    },
  ];
}

/**
 * The test alert of `npm run doctor -- <stack> --notify`: an alert carrying `doctor="test"` goes,
 * on its own routes, to every receiver that has an integration (never the heartbeat), at once and
 * grouped by all its labels so each run is its own notification.
 */
export const DOCTOR_TEST = { alertname: "DoctorTestNotification", label: "doctor", value: "test" } as const;

type Receiver = { name: string } & Record<string, unknown>;

function severityReceiver(sev: "critical" | "warning" | "info", input: AlertmanagerConfigInput): Receiver {
  const r = input.receivers;
  const file = (k: keyof typeof SECRET_FILES) => `${input.secretsDir}/${SECRET_FILES[k]}`;
  const out: Receiver = { name: RECEIVERS[sev] };
  if (r.slack) {
    out.slack_configs = [
      {
        api_url_file: file("slack"),
        channel: r.slack.channels[sev],
        send_resolved: true,
        title: '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}',
        text:
          "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n" +
          "Runbook: {{ .Annotations.runbook_url }}\n{{ end }}",
      },
    ];
  }
  if (r.pagerduty && sev === "critical") {
    out.pagerduty_configs = [{ routing_key_file: file("pagerduty"), send_resolved: true, description: "{{ .CommonAnnotations.summary }}" }];
  }
  if (r.email && sev !== "info") {
    out.email_configs = [
      {
        to: r.email.to,
        from: r.email.from,
        smarthost: r.email.smarthost,
        require_tls: r.email.requireTls,
        send_resolved: true,
        ...(r.email.username ? { auth_username: r.email.username, auth_password_file: file("email") } : {}),
      },
    ];
  }
  if (r.webhook) {
    out.webhook_configs = [{ url_file: file("webhook"), send_resolved: true }];
  }
  return out;
}

function hasIntegration(r: Receiver): boolean {
  return Object.keys(r).some((k) => k.endsWith("_configs"));
}

export function renderAlertmanagerConfig(input: AlertmanagerConfigInput): string {
  const receivers: Receiver[] = [{ name: RECEIVERS.default }];
  const routes: Record<string, unknown>[] = [];
  const doctorRoutes: Record<string, unknown>[] = [];

  // Watchdog always has its own route, so it never reaches a person; without a heartbeat
  // receiver it ends in an empty one.
  const heartbeat: Receiver = { name: RECEIVERS.heartbeat };
  if (input.receivers.heartbeat) {
    heartbeat.webhook_configs = [{ url_file: `${input.secretsDir}/${SECRET_FILES.heartbeat}`, send_resolved: false }];
  }
  receivers.push(heartbeat);
  routes.push({ receiver: RECEIVERS.heartbeat, matchers: ['alertname="Watchdog"'], ...ROUTE_TIMINGS.heartbeat });

  for (const sev of ["critical", "warning", "info"] as const) {
    const receiver = severityReceiver(sev, input);
    if (!hasIntegration(receiver)) continue;
    receivers.push(receiver);
    routes.push({ receiver: receiver.name, matchers: [`severity="${sev}"`], ...ROUTE_TIMINGS[sev] });
    doctorRoutes.push({
      receiver: receiver.name,
      matchers: [`${DOCTOR_TEST.label}="${DOCTOR_TEST.value}"`],
      group_by: ["..."],
      group_wait: "0s",
      continue: true,
    });
  }

  const config = {
    route: {
      receiver: RECEIVERS.default,
      group_by: ["alertname", "service", "severity"],
      ...ROUTE_TIMINGS.root,
      routes: [...doctorRoutes, ...routes],
    },
    inhibit_rules: [...inhibitRules(input.targetDownAlerts), ...(input.pair ? pairInhibitRules(input.targetDownAlerts) : [])],
    receivers,
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true });
}
