import type { HookMapping } from '../hooks/hook-mapping.js';

/** An inbound webhook source (issue 12): where `POST /hooks/:token` deliveries come from and how they map. */
export interface HookSource {
  id: string;
  name: string;
  mapping: HookMapping;
  /** The token's first characters, so a team can tell sources apart; the token itself is shown once. */
  tokenPrefix: string;
  createdAt: string;
  updatedAt: string;
}

/** Inbound webhook sources. Exposed as `store.hookSources`; tokens are kept only as their SHA-256. */
export interface HookSourceStore {
  create(projectId: string, source: { id: string; name: string; mapping: HookMapping; tokenHash: string; tokenPrefix: string }, now: number): Promise<HookSource>;
  list(projectId: string): Promise<HookSource[]>;
  get(projectId: string, id: string): Promise<HookSource | null>;
  update(projectId: string, id: string, patch: { name?: string; mapping?: HookMapping }, now: number): Promise<HookSource | null>;
  remove(projectId: string, id: string): Promise<boolean>;
  /** The source a token opens, with its project. */
  findByTokenHash(tokenHash: string): Promise<{ projectId: string; source: HookSource } | null>;
}
