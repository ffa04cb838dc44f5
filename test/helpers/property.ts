// fast-check settings shared by the property tests: a seed that is printed on every run and
// can be replayed with SWARMSIM_SEED=<seed> (and SWARMSIM_PATH=<path> for the shrunk case).
import fc from "fast-check";

/** Options for fc.assert: the seed comes from SWARMSIM_SEED when set, and is always printed. */
export function propertyOptions(name: string, numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.SWARMSIM_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.SWARMSIM_SEED);
  const path = process.env.SWARMSIM_PATH;
  console.log(`[property] ${name}: seed ${seed} (replay with SWARMSIM_SEED=${seed})`);
  return { seed, numRuns, ...(path === undefined ? {} : { path }), verbose: 1 };
}
