import { OrchestratorError } from '../errors/core-errors.js';

/**
 * Orders services so that each comes after the services it depends on; among
 * services free to go, registration order is kept.
 *
 * @param dependencies - for each service name, in registration order, the names it depends on.
 * @returns the names in start order.
 * @throws {@link OrchestratorError} `UNKNOWN_DEPENDENCY` when a dependency is not
 *   registered; `DEPENDENCY_CYCLE` naming the services of a cycle, e.g. `a → b → a`.
 */
export function dependencyOrder(dependencies: ReadonlyMap<string, readonly string[]>): string[] {
  for (const [name, deps] of dependencies) {
    for (const dep of deps) {
      if (!dependencies.has(dep)) {
        throw new OrchestratorError(
          'UNKNOWN_DEPENDENCY',
          `service "${name}" depends on "${dep}", which is not registered`,
          [name, dep],
        );
      }
    }
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < dependencies.size) {
    let progressed = false;
    for (const [name, deps] of dependencies) {
      if (!placed.has(name) && deps.every((dep) => placed.has(dep))) {
        order.push(name);
        placed.add(name);
        progressed = true;
      }
    }
    if (!progressed) {
      const cycle = findCycle(dependencies, placed);
      throw new OrchestratorError(
        'DEPENDENCY_CYCLE',
        `services depend on each other in a cycle: ${cycle.join(' → ')}`,
        cycle,
      );
    }
  }
  return order;
}

/** Follows unplaced dependencies from any unplaced service until a name repeats. */
function findCycle(dependencies: ReadonlyMap<string, readonly string[]>, placed: ReadonlySet<string>): string[] {
  const start = [...dependencies.keys()].find((name) => !placed.has(name)) as string;
  const path: string[] = [];
  let current = start;
  while (!path.includes(current)) {
    path.push(current);
    current = (dependencies.get(current) ?? []).find((dep) => !placed.has(dep)) as string;
  }
  return [...path.slice(path.indexOf(current)), current];
}
