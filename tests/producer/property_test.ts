// The property-based suite (fast-check): records and configs drawn from wide pools go through
// send(), writable and stages() against the cluster, and everything the producer promises is
// checked (see tests/support/producer_fuzz.ts). A fixed seed and a bounded number of runs here;
// `npm run fuzz -- --seed N --runs N` runs longer and prints each failure as a reproduction.
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";
import { checkFuzzRun, fuzzRuns } from "../support/producer_fuzz.ts";

const SEED = 20151515;
const RUNS = 40;

describe("Producer properties", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it(`Producer keeps its promises for drawn records and configs (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRuns(), async (run) => {
        const failures = await checkFuzzRun(cluster, run, uniqueTopic("property"));
        if (failures.length > 0) throw new Error(failures.join("\n"));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
