/**
 * Runs every cleanup step even when an earlier one fails (a child process must be killed and the database
 * dropped whatever happened), then rethrows the first failure.
 */
export async function teardown(...steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
