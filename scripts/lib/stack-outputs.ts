// The stack outputs the deploy and doctor scripts read (`pulumi stack output --json`, index.ts
// exports them), and how a person opens each UI from them.

export interface StackOutputs {
  readonly grafanaUrl?: string;
  readonly prometheusUrl?: string;
  readonly alertmanagerUrl?: string;
  readonly lokiUrl?: string;
  readonly grafanaAdminUser?: string;
  readonly grafanaAdminPassword?: string;
  readonly prometheusUser?: string;
  readonly prometheusPassword?: string;
  readonly publicIp?: string;
  readonly sshTunnelCommand?: string;
  /** The redundant pair (highAvailability): each member's host and its own tunnel. */
  readonly pairHosts?: Readonly<Record<string, { readonly publicIp?: string; readonly sshTunnelCommand?: string }>>;
}

/** The tunnels to open for a check: each member's on the pair, else the host's (none on local). */
export function tunnelsOf(o: StackOutputs): { readonly host: string; readonly command: string }[] {
  if (o.pairHosts) {
    return Object.entries(o.pairHosts).flatMap(([member, h]) =>
      h.sshTunnelCommand ? [{ host: `host ${member} (${h.publicIp ?? "?"})`, command: h.sshTunnelCommand }] : [],
    );
  }
  return o.sshTunnelCommand ? [{ host: "the host", command: o.sshTunnelCommand }] : [];
}

/** Parses `pulumi stack output --json`; an empty answer (a stack never deployed) is no outputs. */
export function parseOutputs(json: string): StackOutputs {
  const text = json.trim();
  if (!text) return {};
  const doc = JSON.parse(text) as unknown;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error("`pulumi stack output --json` did not give an object");
  return doc as StackOutputs;
}

/** Lines telling a person how to open each UI; secrets are named by the command that shows them, never printed. */
export function howToOpen(stack: string, o: StackOutputs): string[] {
  const lines: string[] = [];
  const tunnel = o.sshTunnelCommand && !o.grafanaUrl?.startsWith("https://");
  if (o.pairHosts) {
    lines.push(
      `The pair: each host's UIs listen on its loopback; open one host's tunnel at a time (they use the same local ports):`,
      ...tunnelsOf(o).map((t) => `    ${t.host}: ${t.command}`),
    );
  } else if (o.sshTunnelCommand) {
    lines.push(
      tunnel
        ? `The UIs listen on the host's loopback: open the tunnel first (leave it running):\n    ${o.sshTunnelCommand}`
        : `Prometheus, Alertmanager and Loki listen on the host's loopback: open the tunnel first (leave it running):\n    ${o.sshTunnelCommand}`,
    );
  }
  const ui: [string, string | undefined, string][] = [
    [
      "Grafana",
      o.grafanaUrl,
      o.grafanaAdminUser
        ? `user ${o.grafanaAdminUser}, password: npx pulumi stack output grafanaAdminPassword --show-secrets --stack ${stack}`
        : "",
    ],
    [
      "Prometheus",
      o.prometheusUrl,
      o.prometheusUser
        ? `user ${o.prometheusUser}, password: npx pulumi stack output prometheusPassword --show-secrets --stack ${stack}`
        : "",
    ],
    ["Alertmanager", o.alertmanagerUrl, ""],
    ["Loki (API only; browse logs in Grafana's Explore)", o.lokiUrl, ""],
  ];
  for (const [name, url, login] of ui) if (url) lines.push(`${name}: ${url}${login ? `  (${login})` : ""}`);
  return lines;
}
