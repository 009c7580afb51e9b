// The vocabulary of `npm run doctor`: what it reaches, what it expects there, and one result line
// per check.

/** One check's outcome: its name (what failed is named by it), pass or fail, and why. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** An HTTP address with optional basic-auth credentials. */
export interface Endpoint {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
}

/** Where the stack answers: the stack outputs' URLs (through the tunnel or the domain), or flags. */
export interface DoctorTargets {
  readonly grafana?: Endpoint;
  readonly prometheus?: Endpoint;
  readonly alertmanager?: Endpoint;
  readonly loki?: Endpoint;
  /** grafanaDomain: its certificate is checked on port 443 (or tlsPort). */
  readonly tlsDomain?: string;
  readonly tlsAddress?: { readonly host: string; readonly port: number };
  /** Extra CA certificates (PEM) to trust for the TLS check, e.g. Caddy's internal CA in tests. */
  readonly tlsCa?: string;
}

/** What the stack was rendered to be: the doctor compares what runs against it. */
export interface Expectations {
  /** alertmanager.yml as rendered for the stack. */
  readonly alertmanagerConfig?: string;
  /** Rule group names Prometheus must have loaded. */
  readonly ruleGroups?: readonly string[];
  /** Dashboards provisioned into Grafana. */
  readonly dashboards?: number;
  /** Provisioned datasource uids. */
  readonly datasources?: readonly string[];
  /** Receivers with at least one integration (the ones a test notification must reach). */
  readonly receivers?: readonly string[];
  /** The backup interval when backups are on. */
  readonly backupIntervalHours?: number;
  /** The redundant pair's member count (highAvailability): the cluster each member must be part of. */
  readonly pairMembers?: number;
}

export interface DoctorOptions {
  /** Send a test alert through every configured receiver. */
  readonly notify: boolean;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** How long the test notification may take to leave Alertmanager. */
  readonly notifyTimeoutMs: number;
  /** Days of certificate validity below which the TLS check fails. */
  readonly tlsMinDays: number;
}

export const DEFAULT_OPTIONS: DoctorOptions = { notify: false, timeoutMs: 5000, notifyTimeoutMs: 60_000, tlsMinDays: 14 };

export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const fail = (name: string, detail: string): CheckResult => ({ name, ok: false, detail });
