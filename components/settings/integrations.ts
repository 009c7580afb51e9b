// Optional integrations: which are on (the plain view the renderers and dashboards take) and,
// apart from it, the credentials their exporters read from files.
import * as pulumi from "@pulumi/pulumi";
import { EnabledIntegrations } from "../../configs/types";
import { checkHostPort, checkNoCredentialsInUrl, checkPostgresDsn, checkSecretToken, checkUrl, each, oneOf, unique } from "./checks";
import { Reader } from "./reader";
import { INTEGRATION_KINDS, IntegrationKind, PROJECT } from "./schema";

export interface IntegrationSecrets {
  /** postgresql://user:pass@host:5432/db?sslmode=... */
  readonly postgresDataSourceName?: pulumi.Output<string>;
  /** Only when Redis requires a password. */
  readonly redisPassword?: pulumi.Output<string>;
}

export function readIntegrations(r: Reader): { integrations: EnabledIntegrations; secrets: IntegrationSecrets } {
  const kinds = r.value<readonly string[]>("integrations", (v) => each(oneOf(INTEGRATION_KINDS))(v) ?? unique(v)) as readonly IntegrationKind[];
  const on = (k: IntegrationKind) => kinds.includes(k);
  let postgres = false;
  let redisAddress: string | undefined;
  let rabbitmq: EnabledIntegrations["rabbitmq"];
  let blackbox: EnabledIntegrations["blackbox"];
  const secrets: { -readonly [K in keyof IntegrationSecrets]: IntegrationSecrets[K] } = {};

  const dsn = r.secret("postgresDataSourceName");
  if (on("postgres")) {
    if (!dsn) {
      r.fail(
        "integrations",
        `postgres is enabled but its connection string is missing; set it with \`pulumi config set --secret ${PROJECT}:postgresDataSourceName postgresql://user:pass@host:5432/db?sslmode=require\``,
      );
    } else {
      // Checked on its text now, not inside an apply at deploy time; never shown.
      const problem = r.canReadSecrets() ? checkPostgresDsn(r.secretText("postgresDataSourceName")) : undefined;
      if (problem) r.fail("postgresDataSourceName", problem);
      else {
        postgres = true;
        secrets.postgresDataSourceName = dsn;
      }
    }
  } else if (dsn) r.fail("postgresDataSourceName", "is set but integration postgres is not enabled; add postgres to integrations or remove the secret");

  const address = r.value<string>("redisAddress", (v) => (v === "" ? undefined : checkHostPort(v)));
  const redisPassword = r.secret("redisPassword");
  if (on("redis")) {
    if (address === "") {
      if (!r.hasProblem("redisAddress")) r.fail("redisAddress", "is missing; integration redis needs the Redis host:port, e.g. redis:6379");
    } else {
      redisAddress = address;
      const problem = redisPassword && r.canReadSecrets() ? checkSecretToken(r.secretText("redisPassword"), "Redis password") : undefined;
      if (problem) r.fail("redisPassword", problem);
      else if (redisPassword) secrets.redisPassword = redisPassword;
    }
  } else {
    if (r.isSet("redisAddress")) r.fail("redisAddress", "is set but integration redis is not enabled; add redis to integrations");
    if (redisPassword) r.fail("redisPassword", "is set but integration redis is not enabled; add redis to integrations or remove the secret");
  }

  const rabbit = r.value<readonly string[]>("rabbitmqTargets", each(checkHostPort));
  if (on("rabbitmq")) {
    if (rabbit.length === 0 && !r.hasProblem("rabbitmqTargets")) r.fail("rabbitmqTargets", "is empty; integration rabbitmq needs the broker's Prometheus endpoints, e.g. [rabbitmq:15692]");
    else rabbitmq = { targets: rabbit };
  } else if (rabbit.length > 0) r.fail("rabbitmqTargets", "is set but integration rabbitmq is not enabled; add rabbitmq to integrations");

  // A probe's URL becomes its `instance` label, in every alert about it: no credential in it.
  const probes = r.value<readonly string[]>("blackboxTargets", each((v) => checkNoCredentialsInUrl(String(v), undefined) ?? checkUrl(v)));
  if (on("blackbox")) {
    if (probes.length === 0 && !r.hasProblem("blackboxTargets")) r.fail("blackboxTargets", "is empty; integration blackbox needs the http(s) URLs to probe");
    else blackbox = { httpTargets: probes };
  } else if (probes.length > 0) r.fail("blackboxTargets", "is set but integration blackbox is not enabled; add blackbox to integrations");
  const integrations: EnabledIntegrations = { postgres, redis: redisAddress !== undefined, redisAddress, rabbitmq, blackbox };
  return { integrations, secrets };
}
