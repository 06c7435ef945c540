import { haproxyConfigFiles } from '../../../tfjson/haproxy-config';
import { auditDevices, openbaoServerConfigs } from '../../../tfjson/openbao-config';
import { podSpecs } from '../../../tfjson/pod-specs';
import { configMapFiles, synapseConfigFiles } from '../../../tfjson/synapse-config';
import type { SynthesizedStack } from '../../../tfjson/terraform-json';
import { haproxyLoggingViolations } from '../../checks/haproxy-logging';
import { isRedisConfigFile, redisConfigViolations, serverContainerViolations } from '../../checks/server-logging';
import { isLoggingConfig, synapseLoggingViolations } from '../../checks/synapse-logging';
import type { Rule, Violation } from '../../rule';

/** Where a `file` audit device writes to the process's standard output. */
const STDOUT_PATHS = ['stdout', '/dev/stdout'];

function openbaoViolations(stack: SynthesizedStack): Violation[] {
  return openbaoServerConfigs(stack).flatMap((server): Violation[] => {
    if (server.mode === 'external') return [];
    if (server.mode === 'dev')
      return [{ address: server.address, message: 'server.dev.enabled: a dev server has no configuration file and no audit device' }];
    if (server.mode === 'none')
      return [
        {
          address: server.address,
          message:
            server.error ??
            'neither server.standalone nor server.ha is enabled: the chart renders no server configuration, so no audit device',
        },
      ];
    if (!server.config) return [{ address: server.address, message: server.error ?? 'no server configuration' }];
    const onStdout = auditDevices(server.config).some(
      (device) => device.type === 'file' && typeof device.options.file_path === 'string' && STDOUT_PATHS.includes(device.options.file_path),
    );
    return onStdout
      ? []
      : [
          {
            address: server.address,
            message: `${server.path ?? 'the server configuration'} declares no audit "file" device with file_path = "stdout": requests to the secret store (who read which secret) are not recorded`,
          },
        ];
  });
}

/**
 * Every component of the stack writes its security events to stdout/stderr, where the
 * cluster's log pipeline collects them: Synapse's logging config (stream handlers only, a root
 * handler, `synapse` at INFO), HAProxy (`log stdout` in global, `log global` and a `log-format`
 * naming client address, method, path and status wherever requests are forwarded, never the query
 * string: bearer tokens travel there, so `option httplog` fails), slapd (`-d stats`), PostgreSQL (`log_connections`,
 * `log_disconnections`, no logging collector), OpenBao (a file audit device on stdout) and Redis
 * (`logfile ""`). A component present without its logging settings fails.
 */
export const rule: Rule = {
  id: 'LOG-01',
  title: 'Security events go to stdout for the log pipeline',
  level: 'error',
  lesson:
    'The intrusion was only noticed from traffic anomalies: nothing recorded who logged in, who read which secret, or who fetched what.',
  references: {
    nsaCisa: 'Audit logging and threat detection: Logging (container and application logs to stdout, collected off the node)',
    anssi: 'ANSSI-PA-012 (architecture of a logging system): centralise the logs of every component',
  },
  fix: 'Synapse: log_config with logging.StreamHandler only, a root handler and synapse at INFO; HAProxy: "log stdout format raw local0 info" in global, "log global" and the log-format of render/gateway/request-log.ts in defaults (client address, method, path without query, status; not "option httplog", which logs query strings and the tokens in them); slapd: "-d stats"; PostgreSQL: -c log_connections=on -c log_disconnections=on, no logging_collector; OpenBao: audit "file" "stdout" { options { file_path = "stdout" } }; Redis: logfile "".',
  appliesTo: {
    subject: 'component that logs (workload with a pod spec, HAProxy, OpenBao, Redis or Synapse configuration)',
    presentIn: (stack) =>
      podSpecs(stack).length > 0 ||
      haproxyConfigFiles(stack).length > 0 ||
      openbaoServerConfigs(stack).length > 0 ||
      synapseConfigFiles(stack).length > 0 ||
      configMapFiles(stack).some((file) => isRedisConfigFile(file) || isLoggingConfig(file.text)),
  },
  check: (stack) => [
    ...synapseLoggingViolations(stack),
    ...haproxyLoggingViolations(haproxyConfigFiles(stack)),
    ...podSpecs(stack).flatMap(serverContainerViolations),
    ...openbaoViolations(stack),
    ...redisConfigViolations(configMapFiles(stack)),
  ],
};
