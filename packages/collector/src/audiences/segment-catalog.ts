import { factsNeeded, type FactsNeeded, type Rule } from '../rules/index.js';
import type { SegmentTreeRepository } from './segment-ports.js';

/** A segment ready to evaluate: its tree and what the tree reads. */
export interface CompiledSegment {
  id: string;
  name: string;
  rule: Rule;
  needed: FactsNeeded;
}

export interface SegmentCatalog {
  /** The project's segments, compiled once until `invalidate`. */
  compiled(trees: SegmentTreeRepository, projectId: string): Promise<CompiledSegment[]>;
  /** After a segment of the project is created, edited or deleted. */
  invalidate(projectId: string): void;
  /** Every project (another collector may have changed any: a lost change feed). */
  clear(): void;
  /** True when the project is known to have no segment (no load needed to say so). */
  knownEmpty(projectId: string): boolean;
}

/**
 * The compiled trees of each project, in memory. A store with several processes writing (PG
 * behind a load balancer) must invalidate on every process when a segment changes, or give each
 * unit of work a fresh catalog; one collector process (today's deployment) only needs the calls
 * its own segment store makes.
 */
export function createSegmentCatalog(): SegmentCatalog {
  const cache = new Map<string, CompiledSegment[]>();
  return {
    async compiled(trees, projectId) {
      let list = cache.get(projectId);
      if (!list) {
        list = (await trees.all(projectId)).map((tree) => ({ id: tree.id, name: tree.name, rule: tree.rules, needed: factsNeeded(tree.rules) }));
        cache.set(projectId, list);
      }
      return list;
    },
    invalidate(projectId) {
      cache.delete(projectId);
    },
    clear() {
      cache.clear();
    },
    knownEmpty(projectId) {
      return cache.get(projectId)?.length === 0;
    },
  };
}
