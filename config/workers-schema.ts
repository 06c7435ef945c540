/**
 * How a homeserver's Synapse grows past one process: pools of generic workers (sync, client
 * reads, inbound federation), each a replicated Deployment, and event persisters, each a named
 * stream writer. Counts only; what each pool serves is fixed in the model (model/synapse-processes.ts).
 */
import { z } from 'zod';
import type { DeploymentProfile } from './backup-schema';

export const WORKER_BOUNDS = {
  /** Replicas of one pool: beyond this, a site should split the pool, not stretch it. */
  maxPoolReplicas: 32,
  /** Event persisters: each is a shard of the events stream; more rarely helps. */
  maxEventPersisters: 8,
  /** A production pool either does not exist (the main process serves its paths) or survives losing one pod. */
  productionMinPoolReplicas: 2,
} as const;

const poolReplicas = z.number().int().min(0).max(WORKER_BOUNDS.maxPoolReplicas);

export const workersSchema = z
  .object({
    /** Generic workers serving /sync and the event stream (0: the main process does). Default: 2 in production, 0 small. */
    sync: poolReplicas.optional(),
    /** Generic workers serving room history, state, members and key queries (0: the main process does). */
    clientReaders: poolReplicas.optional(),
    /** Generic workers serving inbound federation (federation on only; 0: the main process does). */
    federationReaders: poolReplicas.optional(),
    /** Event persisters: stream writers of the events stream, one pod each (0: the main process persists). */
    eventPersisters: z.number().int().min(0).max(WORKER_BOUNDS.maxEventPersisters).optional(),
  })
  .strict();

export type WorkersInput = z.infer<typeof workersSchema>;

/** The resolved counts. */
export interface WorkerSettings {
  readonly sync: number;
  readonly clientReaders: number;
  readonly federationReaders: number;
  readonly eventPersisters: number;
}

const DEFAULTS: Readonly<Record<DeploymentProfile, WorkerSettings>> = {
  production: { sync: 2, clientReaders: 2, federationReaders: 2, eventPersisters: 1 },
  small: { sync: 0, clientReaders: 0, federationReaders: 0, eventPersisters: 0 },
};

/** The profile's defaults for what the config leaves out; no federation readers without federation. */
export function resolveWorkers(input: WorkersInput, profile: DeploymentProfile, federationEnabled: boolean): WorkerSettings {
  const defaults = DEFAULTS[profile];
  return {
    sync: input.sync ?? defaults.sync,
    clientReaders: input.clientReaders ?? defaults.clientReaders,
    federationReaders: federationEnabled ? (input.federationReaders ?? defaults.federationReaders) : 0,
    eventPersisters: input.eventPersisters ?? defaults.eventPersisters,
  };
}

/** Problems of one homeserver's worker counts, as field and message. */
export function workerProblems(
  input: WorkersInput,
  profile: DeploymentProfile,
  federationEnabled: boolean,
): { field: keyof WorkersInput; message: string }[] {
  const problems: { field: keyof WorkersInput; message: string }[] = [];
  if (!federationEnabled && input.federationReaders !== undefined && input.federationReaders > 0)
    problems.push({ field: 'federationReaders', message: 'must be 0 or absent: federation is off, nothing would reach them' });
  if (profile === 'production') {
    for (const field of ['sync', 'clientReaders', 'federationReaders'] as const) {
      if (input[field] === 1)
        problems.push({
          field,
          message: `must be 0 or at least ${WORKER_BOUNDS.productionMinPoolReplicas} in production: one pod of a pool is a single point of failure (set deployment.profile: small for a single-node site)`,
        });
    }
  }
  return problems;
}
