// The Docker host probe `npm run deploy` runs before up, against stand-ins: an HTTP server for the
// engine's API (Docker Engine API "Ping": GET /_ping answers 200 "OK") on a unix socket and on TCP,
// and a fake `ssh` on PATH for ssh:// hosts (the real one runs `docker version` on the host).
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { dockerFix, parseDockerHost, probeDockerHost } from "../../scripts/lib/docker-probe";

let tmp: string;
let engine: http.Server;
let tcpPort: number;
const probe = probeDockerHost(2000);
/** The ssh probes run with this PATH (jest's process.env does not reach child processes). */
let sshEnv: NodeJS.ProcessEnv;
const sshProbe = (host: string) => probeDockerHost(2000, sshEnv)(host);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "obs-probe-"));
  engine = http.createServer((req, res) => (req.url === "/_ping" ? res.writeHead(200).end("OK") : res.writeHead(404).end()));
  await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
  tcpPort = (engine.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => engine.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("parses the forms Docker accepts", () => {
  expect(parseDockerHost("unix:///var/run/docker.sock")).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
  expect(parseDockerHost("tcp://10.0.0.5:2376")).toEqual({ kind: "tcp", host: "10.0.0.5", port: 2376 });
  expect(parseDockerHost("ssh://ec2-user@203.0.113.10:2222")).toEqual({ kind: "ssh", destination: "ec2-user@203.0.113.10", port: 2222 });
  expect(parseDockerHost("npipe:////./pipe/docker_engine")).toEqual({ kind: "other", raw: "npipe:////./pipe/docker_engine" });
});

test("tcp: an engine that answers /_ping is ok; a closed port is down, with the error", async () => {
  expect(await probe(`tcp://127.0.0.1:${tcpPort}`)).toEqual({ state: "ok", detail: `tcp://127.0.0.1:${tcpPort} answers` });
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  expect(await probe(`tcp://127.0.0.1:${closed}`)).toEqual({
    state: "down",
    detail: expect.stringMatching(/does not answer: connect ECONNREFUSED/),
  });
});

describe("ssh: `ssh -o BatchMode=yes <host> docker version`", () => {
  function fakeSsh(script: string): string {
    const dir = fs.mkdtempSync(path.join(tmp, "ssh-"));
    fs.writeFileSync(path.join(dir, "ssh"), `#!/bin/sh\nprintf "%s\\n" "$*" >"${dir}/argv"\n${script}\n`, { mode: 0o755 });
    sshEnv = { PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin` };
    return dir;
  }
  test("answers: ok with the engine's version; batch mode and the port are passed", async () => {
    const dir = fakeSsh("echo 28.5.1");
    expect(await sshProbe("ssh://ec2-user@198.18.0.10:2222")).toEqual({
      state: "ok",
      detail: "ssh://ec2-user@198.18.0.10:2222 answers (Docker 28.5.1)",
    });
    expect(fs.readFileSync(path.join(dir, "argv"), "utf8")).toBe(
      "-o BatchMode=yes -o ConnectTimeout=2 -p 2222 ec2-user@198.18.0.10 docker version --format {{.Server.Version}}\n",
    );
  });
  test("refused: down, with ssh's last line, and the fix names the agent", async () => {
    fakeSsh('echo "ec2-user@198.18.0.10: Permission denied (publickey)." >&2; exit 255');
    expect(await sshProbe("ssh://ec2-user@198.18.0.10")).toEqual({
      state: "down",
      detail: "ssh://ec2-user@198.18.0.10 does not answer: ec2-user@198.18.0.10: Permission denied (publickey).",
    });
    expect(dockerFix("ssh://ec2-user@198.18.0.10")).toContain("ssh-agent");
  });
  test("no ssh command: skipped, said why", async () => {
    sshEnv = { PATH: path.join(tmp, "empty") };
    expect(await sshProbe("ssh://ec2-user@198.18.0.10")).toEqual({
      state: "skipped",
      detail: expect.stringContaining("no ssh command here"),
    });
  });
});
