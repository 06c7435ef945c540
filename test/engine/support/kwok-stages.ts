/**
 * The lifecycle kwok plays for the simulated node and its pods (kwok's Stage API). Pods of
 * the namespaces the pod runner serves are excluded from every pod stage: their status comes
 * from processes that really run (pod-runner/). Everything else becomes Running and Ready
 * shortly after it is scheduled (a Job's pods then complete), and goes away when deleted.
 */
import { stringify } from 'yaml';

const STAGE = { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage' } as const;

interface Expression {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

function stage(
  name: string,
  kind: 'Node' | 'Pod',
  matchExpressions: readonly Expression[],
  next: Record<string, unknown>,
  delayMs?: number,
): Record<string, unknown> {
  return {
    ...STAGE,
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind },
      selector: { matchExpressions },
      ...(delayMs === undefined ? {} : { delay: { durationMilliseconds: delayMs } }),
      next,
    },
  };
}

const NODE_CONDITIONS = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}`;

/** What the simulated node offers the scheduler (a large fleet needs more than one real node would). */
export interface NodeCapacity {
  readonly pods: number;
  readonly cpu: number;
  readonly memoryGi: number;
}

export const DEFAULT_NODE_CAPACITY: NodeCapacity = { pods: 250, cpu: 64, memoryGi: 256 };

function nodeInitialized(capacity: NodeCapacity): string {
  const resources = [
    `  cpu: "${capacity.cpu}"`,
    `  memory: ${capacity.memoryGi}Gi`,
    '  ephemeral-storage: 1Ti',
    `  pods: "${capacity.pods}"`,
  ];
  return `${NODE_CONDITIONS}
addresses:
- address: {{ NodeIP | Quote }}
  type: InternalIP
- address: {{ NodeName | Quote }}
  type: Hostname
allocatable:
${resources.join('\n')}
capacity:
${resources.join('\n')}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  osImage: ""
  machineID: ""
  systemUUID: ""
  bootID: ""
phase: Running`;
}

/** One status per container of `.spec.<list>`, all in the same state (YAML lines of a Go template). */
function containerStatuses(list: 'containers' | 'initContainers', ready: boolean, started: boolean, state: readonly string[]): string {
  return [
    `{{ range .spec.${list} }}`,
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    `  ready: ${ready}`,
    '  restartCount: 0',
    `  started: ${started}`,
    '  state:',
    ...state.map((line) => `    ${line}`),
    '{{ end }}',
  ].join('\n');
}

const COMPLETED = [
  'terminated:',
  '  exitCode: 0',
  '  reason: Completed',
  '  startedAt: {{ $now | Quote }}',
  '  finishedAt: {{ $now | Quote }}',
];

function condition(type: string, status: boolean): string {
  return [
    `- lastTransitionTime: {{ $now | Quote }}`,
    `  status: "${status ? 'True' : 'False'}"`,
    ...(status ? [] : ['  reason: ContainersNotReady']),
    `  type: ${type}`,
  ].join('\n');
}

const POD_CREATED = [
  '{{ $now := Now }}',
  'conditions:',
  condition('Initialized', true),
  condition('Ready', false),
  condition('ContainersReady', false),
  '{{ if .spec.initContainers }}',
  'initContainerStatuses:',
  containerStatuses('initContainers', true, false, COMPLETED),
  '{{ end }}',
  'containerStatuses:',
  containerStatuses('containers', false, false, ['waiting:', '  reason: ContainerCreating']),
  'hostIP: {{ NodeIPWith .spec.nodeName | Quote }}',
  'podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}',
  'phase: Pending',
].join('\n');

const POD_RUNNING = [
  '{{ $now := Now }}',
  'conditions:',
  condition('Ready', true),
  condition('ContainersReady', true),
  'containerStatuses:',
  containerStatuses('containers', true, true, ['running:', '  startedAt: {{ $now | Quote }}']),
  'phase: Running',
  'startTime: {{ $now | Quote }}',
].join('\n');

const POD_COMPLETED = [
  '{{ $now := Now }}',
  'containerStatuses:',
  containerStatuses('containers', false, false, COMPLETED),
  'phase: Succeeded',
].join('\n');

/** The stage configuration (a multi-document YAML for `kwok --config`). */
export function kwokStages(realNamespaces: readonly string[], stepMs = 200, capacity: NodeCapacity = DEFAULT_NODE_CAPACITY): string {
  // kwok refuses an empty value list: with no real namespaces every pod is simulated.
  const simulated: Expression =
    realNamespaces.length > 0
      ? { key: '.metadata.namespace', operator: 'NotIn', values: realNamespaces }
      : { key: '.metadata.name', operator: 'Exists' };
  const alive: Expression = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
  const ready = (status: 'True' | 'False'): Expression => ({
    key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
    operator: status === 'True' ? 'In' : 'NotIn',
    values: ['True'],
  });
  const stages = [
    stage('node-initialize', 'Node', [ready('False')], { statusTemplate: nodeInitialized(capacity) }),
    // Well inside the controller manager's node-monitor grace period: the node never looks lost.
    stage(
      'node-heartbeat',
      'Node',
      [{ key: '.status.phase', operator: 'In', values: ['Running'] }, ready('True')],
      { statusTemplate: NODE_CONDITIONS },
      10_000,
    ),
    stage(
      'pod-create',
      'Pod',
      [simulated, alive, { key: '.status.podIP', operator: 'DoesNotExist' }],
      { statusTemplate: POD_CREATED, event: { type: 'Normal', reason: 'Created', message: 'simulated by kwok' } },
      stepMs,
    ),
    stage(
      'pod-ready',
      'Pod',
      [
        simulated,
        alive,
        { key: '.status.phase', operator: 'In', values: ['Pending'] },
        { key: '.status.podIP', operator: 'Exists' },
        { key: '.status.containerStatuses.[].state.running.startedAt', operator: 'DoesNotExist' },
      ],
      { statusTemplate: POD_RUNNING },
      stepMs,
    ),
    stage(
      'pod-complete',
      'Pod',
      [
        simulated,
        alive,
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        ready('True'),
        { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] },
      ],
      { statusTemplate: POD_COMPLETED },
      stepMs,
    ),
    stage(
      'pod-delete',
      'Pod',
      [simulated, { key: '.metadata.deletionTimestamp', operator: 'Exists' }, { key: '.metadata.finalizers', operator: 'DoesNotExist' }],
      { delete: true },
      stepMs,
    ),
  ];
  return stages.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
}
