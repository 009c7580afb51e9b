// Does the Docker host answer? `npm run deploy` asks before `pulumi up` touches any container, so
// a stopped engine or a wrong DOCKER_HOST is one clear line instead of a provider error in the
// middle of an update. unix:// and tcp:// hosts get Docker's own liveness call (GET /_ping answers
// 200 "OK", Docker Engine API reference, "Ping"); ssh:// hosts get `docker version` over ssh in
// batch mode, which is what the Docker provider's `docker system dial-stdio` needs to work.
import { spawnSync } from "node:child_process";
import * as http from "node:http";

export type DockerEndpoint =
  | { readonly kind: "unix"; readonly socketPath: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "ssh"; readonly destination: string; readonly port?: number }
  | { readonly kind: "other"; readonly raw: string };

export function parseDockerHost(host: string): DockerEndpoint {
  if (host.startsWith("unix://")) return { kind: "unix", socketPath: host.slice("unix://".length) };
  if (host.startsWith("tcp://") || host.startsWith("ssh://")) {
    const u = new URL(host);
    const port = u.port ? Number(u.port) : undefined;
    if (u.protocol === "tcp:") return { kind: "tcp", host: u.hostname.replace(/^\[|\]$/g, ""), port: port ?? 2375 };
    return { kind: "ssh", destination: `${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.hostname}`, port };
  }
  return { kind: "other", raw: host };
}

export interface ProbeResult {
  /** "ok": it answered; "down": it did not; "skipped": not checkable from here (said why). */
  readonly state: "ok" | "down" | "skipped";
  readonly detail: string;
}

export type DockerProbe = (host: string) => Promise<ProbeResult>;

function ping(options: http.RequestOptions, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ ...options, path: "/_ping", timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () =>
        resolve(res.statusCode === 200 ? undefined : `GET /_ping answered HTTP ${res.statusCode} ${body.trim().slice(0, 200)}`),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => resolve(e.message));
  });
}

/** How to fix a host that does not answer, per kind. */
export function dockerFix(host: string): string {
  const e = parseDockerHost(host);
  switch (e.kind) {
    case "unix":
      return `start the Docker engine (Docker Desktop, or \`sudo systemctl start docker\`) and make sure your user may use ${e.socketPath} (the docker group), or point DOCKER_HOST / the stack's dockerHost setting at a running engine`;
    case "tcp":
      return `check that the engine at ${e.host}:${e.port} is running and listening there, and that nothing blocks the port; or correct DOCKER_HOST / the stack's dockerHost setting`;
    case "ssh":
      return `check that \`ssh ${e.destination}\` works without a password prompt (ssh-agent or ~/.ssh/config) and that the user there may run docker`;
    default:
      return "use unix:///var/run/docker.sock, tcp://host:2375 or ssh://user@host";
  }
}

/** The default probe: a real _ping or `ssh ... docker version`. */
export function probeDockerHost(timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): DockerProbe {
  return async (host) => {
    const e = parseDockerHost(host);
    let error: string | undefined;
    if (e.kind === "unix") {
      error = await ping({ socketPath: e.socketPath }, timeoutMs);
    } else if (e.kind === "tcp") {
      error = await ping({ host: e.host, port: e.port }, timeoutMs);
      // A TLS-protected engine (DOCKER_TLS_VERIFY, usually 2376) answers plain HTTP with 400; it is listening.
      if (error?.startsWith("GET /_ping answered HTTP 400")) return { state: "ok", detail: `${host} answers (TLS; not verified here)` };
    } else if (e.kind === "ssh") {
      const args = [
        "-o",
        "BatchMode=yes",
        "-o",
        `ConnectTimeout=${Math.ceil(timeoutMs / 1000)}`,
        ...(e.port ? ["-p", String(e.port)] : []),
        e.destination,
        "docker",
        "version",
        "--format",
        "{{.Server.Version}}",
      ];
      const r = spawnSync("ssh", args, { encoding: "utf8", timeout: timeoutMs * 3, env });
      if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
        return { state: "skipped", detail: `no ssh command here to check ${host}; the Docker provider will need it too` };
      if (r.status !== 0) error = (r.stderr || r.error?.message || `ssh exited ${r.status}`).trim().split("\n").pop();
      else return { state: "ok", detail: `${host} answers (Docker ${r.stdout.trim()})` };
    } else {
      return { state: "skipped", detail: `${host} is not a host this script can check` };
    }
    return error ? { state: "down", detail: `${host} does not answer: ${error}` } : { state: "ok", detail: `${host} answers` };
  };
}
