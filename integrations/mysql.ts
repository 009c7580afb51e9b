// MySQL and MariaDB through mysqld_exporter (prometheus/mysqld_exporter): the address and user are
// plain settings a reviewer reads on the command line; the password travels alone, in the
// exporter's my.cnf, a secret file only the image's user can read.
import * as path from "node:path";
import { promBusyboxContract } from "../catalog/image-contracts";
import { NOBODY } from "../catalog/containers";
import { checkHostPort, checkSecretToken } from "../configs/value-checks";
import { UP_DOWN_MAPPINGS, statPanel, timeSeries } from "../dashboards/lib/panels";
import { RANGE_WINDOW, RATE_WINDOW } from "../dashboards/lib/promql";
import { SATURATED_RATIO } from "../dashboards/lib/steps";
import { defineIntegration } from "./integration";

const JOB = "mysqld-exporter";
const PORT = 9104;
const PASSWORD = "mysqlPassword";
const MY_CNF = "my.cnf";

/** Alert thresholds of mysql.rules.yml. */
export const thresholds = {
  MySQLTooManyConnections: {
    /** 80 % of max_connections leaves room to react before the server answers "Too many connections". */
    usedRatio: 0.8,
  },
  MySQLSlowQueries: {
    /** More than 10 queries over long_query_time in 5 minutes: a missing index or a lock, not one unlucky report. */
    queries: 10,
  },
} as const;

export interface MysqlConfig {
  /** host:port of the server. */
  readonly address: string;
  readonly user: string;
}

/**
 * The exporter's my.cnf. The password is quoted with backticks, which the exporter's ini reader
 * strips, so `#`, `;`, quotes and spaces in it stay part of it (the check below refuses the two
 * characters that quoting cannot carry: a backtick and a line break).
 */
export function renderMyCnf(user: string, password: string): string {
  return `[client]\nuser = ${user}\npassword = \`${password}\`\n`;
}

/** A MySQL user name as the exporter's ini file can carry it unquoted. */
function checkUser(v: string): string | undefined {
  return /^[A-Za-z0-9_.@-]{1,80}$/.test(v)
    ? undefined
    : `${JSON.stringify(v)} is not accepted; use 1-80 letters, digits, ".", "_", "@" or "-"`;
}

const SOURCE =
  "prometheus/mysqld_exporter collector/global_status.go, global_variables.go, mysqld_exporter.go (mysql_up); checked against mysqld_exporter on MariaDB in the live suite";

export const mysql = defineIntegration({
  name: "mysql",
  title: "MySQL / MariaDB",
  settings: {
    mysqlAddress: {
      type: "string",
      default: "",
      description: "MySQL or MariaDB host:port (integration mysql).",
      doc: { accepts: "host:port; required by integration mysql", targets: "both", example: "mysql:3306" },
    },
    mysqlUser: {
      type: "string",
      default: "exporter",
      description: "MySQL user the exporter connects as (integration mysql; grant it PROCESS, REPLICATION CLIENT and SELECT).",
      doc: { accepts: '1-80 letters, digits, ".", "_", "@" or "-"', targets: "both", example: "monitoring" },
    },
  },
  secrets: {
    [PASSWORD]: {
      description: "Password of mysqlUser (integration mysql)",
      required: true,
      accepts: "the password of mysqlUser, without a backtick or line break",
      example: "<password>",
      check: (text) =>
        checkSecretToken(text, "MySQL password") ??
        (text.includes("`")
          ? "holds a backtick, which the exporter's my.cnf cannot carry; choose another password (the value is not shown because it is a secret)"
          : undefined),
    },
  },
  read(v): MysqlConfig {
    const address = v.value<string>("mysqlAddress", (x) => (x === "" ? undefined : checkHostPort(x)));
    if (address === "" && !v.hasProblem("mysqlAddress"))
      v.fail("mysqlAddress", "is missing; integration mysql needs the server's host:port, e.g. mysql:3306");
    return { address, user: v.value<string>("mysqlUser", checkUser) };
  },
  exporter: {
    key: "mysqldExporter",
    entry: {
      container: "mysqld-exporter",
      title: "mysqld-exporter (integration mysql)",
      // prom/mysqld-exporter: quay.io/prometheus/busybox base, USER nobody, port 9104 (Dockerfile at v0.20.0).
      image: "prom/mysqld-exporter:v0.20.0",
      limits: { cpus: 0.1, memoryMb: 64 },
      minMemoryMb: 16,
      port: PORT,
      job: JOB,
      user: NOBODY,
    },
    contract: promBusyboxContract(
      "mysqld_exporter",
      {
        tag: "prometheus/mysqld_exporter: git tag v0.20.0 (CHANGELOG 0.20.0 / 2026-08-12, 'Publish images to GHCR') in the stored snapshot; Makefile DOCKER_IMAGE_NAME mysqld-exporter (prom/mysqld-exporter)",
        dockerfile:
          "prometheus/mysqld_exporter@v0.20.0:Dockerfile: FROM quay.io/prometheus/busybox-linux-amd64; COPY mysqld_exporter /bin/mysqld_exporter; EXPOSE 9104; USER nobody; ENTRYPOINT /bin/mysqld_exporter",
      },
      ["wget"],
    ),
    writes: [],
    run: (c) => ({
      command: [`--config.my-cnf=/run/secrets/${MY_CNF}`, `--mysqld.address=${c.address}`],
      secretFiles: [{ name: MY_CNF, content: (s) => renderMyCnf(c.user, s[PASSWORD]) }],
      healthcheck: ["wget", "-q", "--spider", `http://localhost:${PORT}/`],
      appNetworks: true,
    }),
  },
  job: JOB,
  metricsExporter: JOB,
  scrapeConfigs: (_c, ctx) => [{ job_name: JOB, static_configs: [{ targets: [ctx.exporter ?? `${JOB}:${PORT}`] }] }],
  rules: { area: "mysql", file: path.join(__dirname, "mysql.rules.yml"), test: path.join(__dirname, "mysql.rules.test.yml") },
  targetDownAlerts: ["MySQLExporterDown"],
  dashboardRows: [{ dashboard: "data-services", title: "MySQL", panels }],
  metrics: [
    {
      verification: "live",
      source: SOURCE,
      names: [
        "mysql_global_status_questions",
        "mysql_global_status_slow_queries",
        "mysql_global_status_threads_connected",
        "mysql_global_status_threads_running",
        "mysql_global_variables_max_connections",
        "mysql_up",
      ],
    },
  ],
  thresholds,
});

function panels() {
  const j = `job="${JOB}"`;
  const used = `sum(mysql_global_status_threads_connected{${j}}) / sum(mysql_global_variables_max_connections{${j}})`;
  return [
    statPanel("MySQL", [{ expr: `min(mysql_up{${j}})` }], {
      description: "Whether the exporter can connect to the server.",
      mappings: UP_DOWN_MAPPINGS,
      colorBackground: true,
      noValue: "exporter down",
      w: 6,
    }),
    statPanel("MySQL connections used", [{ expr: used }], {
      description: "Connected threads, as a share of max_connections.",
      unit: "percentunit",
      // Yellow where MySQLTooManyConnections fires.
      thresholds: [
        { value: thresholds.MySQLTooManyConnections.usedRatio, color: "yellow" },
        { value: SATURATED_RATIO, color: "red" },
      ],
      sparkline: true,
      w: 6,
    }),
    statPanel("Slow queries", [{ expr: `sum(increase(mysql_global_status_slow_queries{${j}}[${RANGE_WINDOW}]))` }], {
      description: "Queries that took longer than long_query_time within the time range.",
      decimals: 0,
      thresholds: [{ value: thresholds.MySQLSlowQueries.queries, color: "orange" }],
      w: 6,
    }),
    statPanel("Queries/s", [{ expr: `sum(rate(mysql_global_status_questions{${j}}[${RATE_WINDOW}]))` }], {
      unit: "qps",
      sparkline: true,
      w: 6,
    }),
    timeSeries(
      "Connections",
      [
        { expr: `sum(mysql_global_status_threads_connected{${j}})`, legend: "connected" },
        { expr: `sum(mysql_global_status_threads_running{${j}})`, legend: "running" },
        { expr: `sum(mysql_global_variables_max_connections{${j}})`, legend: "max_connections limit" },
      ],
      { min: 0, limitSeries: "/limit$/", w: 12 },
    ),
    timeSeries(
      "Queries and slow queries",
      [
        { expr: `sum(rate(mysql_global_status_questions{${j}}[${RATE_WINDOW}]))`, legend: "queries/s" },
        { expr: `sum(rate(mysql_global_status_slow_queries{${j}}[${RATE_WINDOW}]))`, legend: "slow queries/s" },
      ],
      { unit: "qps", min: 0, seriesColors: { "slow queries/s": "orange" }, w: 12 },
    ),
  ];
}
