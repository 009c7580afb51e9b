// The live suites' test wrapper: a failing test's message carries what the suite has seen so far
// (webhook record, process log tails), and the suite learns that something failed (to keep its
// temp dir for a look).
export interface LiveSuite {
  /** Registers a test; `fn` failing marks the suite failed and adds `context()` to its message. */
  test(name: string, fn: () => Promise<void>, timeoutMs: number): void;
  /** Whether any test of the suite failed so far. */
  readonly failed: boolean;
}

export function liveSuite(context: () => string): LiveSuite {
  let failed = false;
  return {
    test(name, fn, timeoutMs) {
      test(
        name,
        async () => {
          try {
            await fn();
          } catch (e) {
            failed = true;
            const err = e instanceof Error ? e : new Error(String(e));
            err.message += `\n\n${context()}`;
            throw err;
          }
        },
        timeoutMs,
      );
    },
    get failed() {
      return failed;
    },
  };
}
