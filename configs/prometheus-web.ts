// Prometheus's own web configuration (`--web.config.file`): HTTP basic auth on every endpoint,
// with bcrypt hashes only (the component takes them from random.RandomPassword's `bcryptHash`,
// which is generated once and kept in the state, so the file does not change between `up`s).
// Pure: no Pulumi here; the live test renders the same files for a real Prometheus.
//
// The lifecycle API (`--web.enable-lifecycle`: POST /-/reload, /-/quit) stays off: config
// changes replace the container anyway. The admin API stays on because the backup job takes
// TSDB snapshots through it (POST /api/v1/admin/tsdb/snapshot); it is behind the basic auth
// like every other endpoint.
//
// Basic auth covers EVERY endpoint (/metrics, /-/healthy and /-/ready included), so every client
// of Prometheus authenticates. The clients, and how each gets its credentials:
//   - Prometheus scraping itself (job `prometheus`): `basic_auth.password_file` in its scrape
//     config (prometheusBasicAuth).
//   - The container healthcheck: `promtool check healthy --http.config.file=<client.yml>`
//     (promtool is in the prom/prometheus image; wget could only pass the password in argv,
//     which `docker inspect` shows).
//   - Grafana's Prometheus datasource: basicAuth with `secureJsonData.basicAuthPassword:
//     $__file{...}` (configs/grafana.ts).
//   - The backup job (snapshot API): curl with a netrc file (renderNetrc), never in argv.
//   - People, through the SSH tunnel: the `admin` user, password in a secret stack output.
// Not clients: Alloy (ships logs to Loki only), Loki's ruler and Grafana's alerting (they talk
// to Alertmanager), the exporters (Prometheus scrapes them, not the other way round).
import * as yaml from "js-yaml";

export const PROMETHEUS_WEB_CONFIG_PATH = "/etc/prometheus/web.yml";
/** HTTP client config the healthcheck's promtool reads (basic auth from a password file). */
export const PROMETHEUS_CLIENT_CONFIG_PATH = "/etc/prometheus/client.yml";

/** One user per client, so a leaked password can be rotated without touching the others. */
export const PROMETHEUS_USERS = {
  /** Prometheus's self-scrape and its healthcheck. */
  self: "prometheus",
  grafana: "grafana",
  backup: "backup",
  /** People, through the SSH tunnel. */
  admin: "admin",
} as const;

/** Response headers Prometheus adds itself (the web config's http_server_config.headers). */
export const PROMETHEUS_RESPONSE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "deny",
} as const;

const USERNAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** bcrypt in modular crypt format: $2a$/$2b$/$2y$, two-digit cost, 53 characters of salt+hash. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** web.yml: basic_auth_users from user → bcrypt hash. At least one user: no anonymous access. */
export function renderPrometheusWebConfig(users: Readonly<Record<string, string>>): string {
  const names = Object.keys(users).sort();
  if (names.length === 0) throw new Error("Prometheus web config needs at least one basic-auth user");
  for (const name of names) {
    if (!USERNAME.test(name)) {
      throw new Error(`Prometheus user ${JSON.stringify(name)} is not accepted; use 1-64 letters, digits, ".", "_" or "-"`);
    }
    // Never echo the value: a plaintext password passed by mistake must not reach a log.
    if (!BCRYPT.test(users[name])) {
      throw new Error(`Prometheus user ${JSON.stringify(name)}: the password must be given as a bcrypt hash ($2a$/$2b$/$2y$, cost 04-31)`);
    }
  }
  const doc = {
    http_server_config: { headers: { ...PROMETHEUS_RESPONSE_HEADERS } },
    basic_auth_users: Object.fromEntries(names.map((n) => [n, users[n]])),
  };
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** The web flags of the Prometheus command line: auth from the web config, admin API, no lifecycle API. */
export function prometheusWebFlags(webConfigPath: string = PROMETHEUS_WEB_CONFIG_PATH): string[] {
  if (!webConfigPath.startsWith("/")) throw new Error(`web config path ${JSON.stringify(webConfigPath)} is not absolute`);
  return [`--web.config.file=${webConfigPath}`, "--web.enable-admin-api"];
}

export interface BasicAuthFile {
  readonly username: string;
  /** Absolute path of a file holding only the password. */
  readonly passwordFile: string;
}

function checkAuth(auth: BasicAuthFile): BasicAuthFile {
  if (!USERNAME.test(auth.username)) throw new Error(`Prometheus user ${JSON.stringify(auth.username)} is not accepted`);
  if (!/^\/[A-Za-z0-9_./-]+$/.test(auth.passwordFile)) {
    throw new Error(`password file ${JSON.stringify(auth.passwordFile)} is not an absolute path of letters, digits, "_", ".", "-" and "/"`);
  }
  return auth;
}

/** A scrape config's (or any Prometheus HTTP client config's) basic_auth block. */
export function prometheusBasicAuth(auth: BasicAuthFile): { username: string; password_file: string } {
  const a = checkAuth(auth);
  return { username: a.username, password_file: a.passwordFile };
}

/** HTTP client config file for `promtool check healthy --http.config.file`. */
export function renderPrometheusClientConfig(auth: BasicAuthFile): string {
  return yaml.dump({ basic_auth: prometheusBasicAuth(auth) }, { lineWidth: -1, noRefs: true });
}

/** The healthcheck command (CMD form): promtool with the client config, no password in argv. */
export function prometheusHealthcheck(port: number, clientConfigPath: string = PROMETHEUS_CLIENT_CONFIG_PATH): string[] {
  return ["promtool", "check", "healthy", `--url=http://localhost:${port}`, `--http.config.file=${clientConfigPath}`];
}

/**
 * A netrc file for curl (`--netrc-file`): the backup job's credentials for Prometheus's host.
 * netrc has no quoting, so a password with whitespace or quotes could not be written; the
 * generated ones are letters and digits.
 */
export function renderNetrc(machine: string, login: string, password: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(machine)) throw new Error(`netrc machine ${JSON.stringify(machine)} is not a host name`);
  if (!USERNAME.test(login)) throw new Error(`netrc login ${JSON.stringify(login)} is not accepted`);
  if (password.length === 0 || /[\s"'\\]/.test(password)) {
    throw new Error("netrc password must be non-empty without whitespace, quotes or backslashes");
  }
  return `machine ${machine} login ${login} password ${password}\n`;
}
