// blackbox.yml: the probe modules the `blackbox` scrape job uses.
import * as yaml from "js-yaml";

export function renderBlackboxConfig(): string {
  return yaml.dump(
    {
      modules: {
        http_2xx: {
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
