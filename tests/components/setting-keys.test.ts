// Setting keys are typed: `npm test` type-checks this file (tsconfig.check.json), and each
// `@ts-expect-error` below fails the type check the day a misspelt key compiles again.
import { Reader } from "../../components/settings/reader";
import { SETTINGS, SettingKey } from "../../components/settings/schema";

test("every key of the table is a SettingKey, and a misspelt one is not", () => {
  const keys: SettingKey[] = ["scrapeInterval", "prometheusImage", "mysqldExporterMemoryMb", "redisAddress"];
  for (const k of keys) expect(SETTINGS[k]).toBeDefined();
  // @ts-expect-error a misspelt key does not compile
  const typo: SettingKey = "scrapTimeout";
  expect(typo in SETTINGS).toBe(false);
  const read = (r: Reader) =>
    r.value<string>(
      // @ts-expect-error nor does reading one
      "scrapTimeout",
    );
  expect(typeof read).toBe("function");
});
