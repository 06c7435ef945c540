/**
 * A hardened Job: the shared hardened pod run once to completion per change of its spec. The
 * pod template of a Job is immutable, so a changed spec is a new Job, named by its content;
 * the deploy waits for it and fails visibly when it does.
 */
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import type { Construct } from 'constructs';
import { configChecksum } from './hardened-pod-template';
import { HardenedWorkload, type HardenedWorkloadProps } from './hardened-workload';

export type HardenedJobProps = HardenedWorkloadProps;

export class HardenedJob extends HardenedWorkload {
  readonly resource: JobV1;

  constructor(scope: Construct, id: string, props: HardenedJobProps) {
    super(scope, id, props, 'Job');
    const { spec, metadata } = this;
    // A run-once pod keeps nothing: storage would outlive every run unowned.
    if (spec.storage) throw new Error(`workload "${spec.name}": a Job keeps no persistent storage`);
    this.resource = new JobV1(this, 'workload', {
      metadata: { ...metadata, name: `${spec.name}-${configChecksum(spec).slice(0, 10)}` },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 600,
        completions: 1,
        parallelism: 1,
        completionMode: 'NonIndexed',
        // Retried by the Job controller (backoffLimit), never restarted in place.
        template: this.podTemplate({ restartPolicy: 'Never' }),
      },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      ...this.dependencies,
    });
  }
}
