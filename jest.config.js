/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Jest 30's global cleanup tears down objects Pulumi's runtime still holds.
  testEnvironmentOptions: { globalsCleanup: "off" },
  transform: { "^.+\\.ts$": ["ts-jest", {}] },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
};
