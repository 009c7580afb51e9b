// `remoteWrite`: where Prometheus also writes every sample (amp, or an https URL) and how it
// authenticates. Credentials are secret settings that reach Prometheus as a file.
import * as pulumi from "@pulumi/pulumi";
import { checkNoCredentialsInUrl, checkSecretToken, checkUrl, range, show } from "./checks";
import { Reader } from "./reader";
import { Target } from "./schema";

export type RemoteWriteSettings =
  | { readonly kind: "amp"; readonly expectedSeries: number }
  | {
      readonly kind: "url";
      readonly url: string;
      readonly expectedSeries: number;
      /** basic: remoteWriteUsername + secret remoteWritePassword; bearer: secret remoteWriteBearerToken. */
      readonly auth?: { readonly kind: "basic"; readonly username: string } | { readonly kind: "bearer" };
    };

export interface RemoteWriteRead {
  readonly settings?: RemoteWriteSettings;
  /** The password or token, secret; undefined without credentials. */
  readonly secret?: pulumi.Output<string>;
}

export function readRemoteWrite(r: Reader, target: Target): RemoteWriteRead {
  const where = r.value<string>("remoteWrite", (v) => {
    if (v === "" || v === "amp") return undefined;
    // Credentials first: every other message repeats the value.
    const userInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(v);
    const credentials = checkNoCredentialsInUrl(
      v,
      userInfo ? "remoteWritePassword (the user in remoteWriteUsername)" : "remoteWriteBearerToken",
    );
    if (credentials) return credentials;
    const bad = checkUrl(v, ["https"]);
    if (bad)
      return /link-local|non-ASCII/.test(bad)
        ? bad
        : `${show(v)} is not accepted; use amp or the https URL of a remote-write receiver (the samples leave the host: TLS only)`;
    return undefined;
  });
  const username = r.value<string>("remoteWriteUsername", (v) =>
    v === "" || /^[^\s:]{1,256}$/.test(v) ? undefined : `${show(v)} is not accepted; use a user name without spaces or ":"`,
  );
  const expectedSeries = r.value<number>("remoteWriteExpectedSeries", range(1000, 100_000_000, "series"));
  const password = r.secret("remoteWritePassword");
  const token = r.secret("remoteWriteBearerToken");

  // Secrets are not plain settings: whether one is set shows in its value.
  const given = (k: string): boolean =>
    k === "remoteWritePassword" ? password !== undefined : k === "remoteWriteBearerToken" ? token !== undefined : r.isSet(k);
  if (where === "") {
    for (const k of ["remoteWriteUsername", "remoteWriteExpectedSeries", "remoteWritePassword", "remoteWriteBearerToken"]) {
      if (given(k)) r.fail(k, "is set but remoteWrite is not; set remoteWrite to amp or an https URL, or remove it");
    }
    return {};
  }
  if (where === "amp") {
    if (target !== "ec2") {
      r.fail(
        "remoteWrite",
        `amp is only available with target ec2 (this stack's target is ${target}): the EC2 host's instance role signs the writes; use the https URL of a receiver instead`,
      );
    }
    for (const k of ["remoteWriteUsername", "remoteWritePassword", "remoteWriteBearerToken"]) {
      if (given(k)) r.fail(k, "is not used with remoteWrite amp (writes are signed with SigV4 by the instance role); remove it");
    }
    return { settings: { kind: "amp", expectedSeries } };
  }
  if (token && (username !== "" || password)) {
    r.fail(
      "remoteWriteBearerToken",
      "is set together with remoteWriteUsername/remoteWritePassword; use either basic auth or a bearer token",
    );
    return {};
  }
  if (username !== "" && !password)
    r.fail("remoteWritePassword", "is missing; remoteWriteUsername needs it (pulumi config set --secret remoteWritePassword ...)");
  if (password && username === "")
    r.fail("remoteWriteUsername", "is missing; remoteWritePassword is set, so basic auth needs the user too");
  for (const [key, secret, what] of [
    ["remoteWritePassword", password, "remote-write password"],
    ["remoteWriteBearerToken", token, "bearer token"],
  ] as const) {
    const problem = secret && r.canReadSecrets() ? checkSecretToken(r.secretText(key), what) : undefined;
    if (problem) r.fail(key, problem);
  }
  const auth = token ? { kind: "bearer" as const } : username !== "" ? { kind: "basic" as const, username } : undefined;
  return { settings: { kind: "url", url: where, expectedSeries, auth }, secret: token ?? password };
}
