// The postgres DSN is split into the three files postgres-exporter reads.
import { splitPostgresDsn } from "../../integrations/postgres";

test("splits user, password and the rest, decoding escaped characters", () => {
  expect(splitPostgresDsn("postgresql://app:p%40ss%2Fw@db:5432/app?sslmode=require")).toEqual({
    uri: "db:5432/app?sslmode=require",
    user: "app",
    password: "p@ss/w",
  });
  expect(splitPostgresDsn("postgres://ro@db.internal/metrics").password).toBe("");
});

test("refuses what is not a postgres URL with user and host, naming the setting", () => {
  expect(() => splitPostgresDsn("db:5432")).toThrow(/postgresDataSourceName/);
  expect(() => splitPostgresDsn("mysql://u:p@db/app")).toThrow(/postgresDataSourceName/);
  expect(() => splitPostgresDsn("postgresql://db:5432/app")).toThrow(/user and host are required/);
});
