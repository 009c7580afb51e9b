// postgres-exporter reads its connection from three files (DATA_SOURCE_*_FILE), so the DSN a
// user configures is split into them; no part of it is ever an environment value.

/** postgresql://user:pass@host:5432/db?sslmode=require → the exporter's three parts. */
export function splitPostgresDsn(dsn: string): { uri: string; user: string; password: string } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error("observability-stack:postgresDataSourceName: is not a URL; use postgresql://user:pass@host:5432/db?sslmode=require");
  }
  if (!["postgres:", "postgresql:"].includes(url.protocol) || !url.hostname || !url.username) {
    throw new Error("observability-stack:postgresDataSourceName: use postgresql://user:pass@host:5432/db?sslmode=require (user and host are required)");
  }
  return {
    uri: `${url.host}${url.pathname}${url.search}`,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
