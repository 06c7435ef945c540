/** The case table of LOG-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { REQUEST_LOG_FORMAT, REQUEST_LOG_FORMAT_LINE } from '../../../render/gateway/request-log';
import {
  editHaproxy,
  haproxyFile,
  nested,
  postgresContainer,
  publicFrontend,
  setSynapse,
  synapseConfigFile,
  workerConfigFile,
} from '../../../test/policies/case-helpers/common';
import type { BadCase, RuleCases } from '../../../test/policies/case-table';
import {
  add,
  address,
  body,
  child,
  containerAddress,
  containerOf,
  copy,
  editConfigFile,
  editHelmValues,
  R,
  type Mutation,
} from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';

const logFile = `${address(R.synapseConfig)} data "log.yaml"`;

/** Edits the rendered log.yaml as a mapping. */
function editLog(edit: (config: JsonObject) => void): Mutation {
  return (j) => editConfigFile(j, R.synapseConfig, 'log.yaml', edit);
}

function handler(config: JsonObject, name = 'console'): JsonObject {
  return nested(config, 'handlers', name);
}

function setHandlerClass(handlerClass: string, extra: JsonObject = {}): Mutation {
  return editLog((config) => Object.assign(handler(config), { class: handlerClass }, extra));
}

function logger(config: JsonObject, name: string): JsonObject {
  return nested(config, 'loggers', name);
}

/** Adds a second ConfigMap carrying `files` in the homeserver namespace. */
function addConfigMap(name: string, files: Record<string, string>): Mutation {
  return (j) => {
    const clone = copy(body(j, R.synapseConfig));
    clone.data = files;
    child(clone, 'metadata').name = name;
    add(j, { type: 'kubernetes_config_map_v1', name: `${name}_config` }, clone);
  };
}

const FILE_LOGGING =
  'version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: /data/homeserver.log\nroot:\n  level: INFO\n  handlers: [file]\ndisable_existing_loggers: false\n';

const LOG_01_SYNAPSE: BadCase[] = [
  {
    name: 'file handler',
    mutate: setHandlerClass('logging.handlers.RotatingFileHandler', { filename: '/data/homeserver.log' }),
    address: logFile,
    message: 'handler "console" is "logging.handlers.RotatingFileHandler": logs go to a file, syslog or a socket',
  },
  {
    name: 'syslog handler',
    mutate: setHandlerClass('logging.handlers.SysLogHandler', { address: '/dev/log' }),
    address: logFile,
    message: 'handler "console" is "logging.handlers.SysLogHandler"',
  },
  {
    name: 'socket handler',
    mutate: setHandlerClass('logging.handlers.SocketHandler', { host: 'logs.example.org', port: 9020 }),
    address: logFile,
    message: 'handler "console" is "logging.handlers.SocketHandler"',
  },
  {
    name: 'stream handler on another stream',
    mutate: editLog((config) => (handler(config).stream = 'ext://synapse.logging.opentracing.stream')),
    address: logFile,
    message: 'handler "console" writes to the stream "ext://synapse.logging.opentracing.stream"',
  },
  {
    name: 'handler built by a factory',
    mutate: editLog((config) => Object.assign(handler(config, 'custom'), { '()': 'mylogging.make_handler' })),
    address: logFile,
    message: 'handler "custom" is built by the factory "mylogging.make_handler"',
  },
  {
    name: 'buffering handler without target',
    mutate: editLog((config) =>
      Object.assign(handler(config, 'buffer'), { class: 'synapse.logging.handlers.PeriodicallyFlushingMemoryHandler', capacity: 10 }),
    ),
    address: logFile,
    message: 'handler "buffer" (synapse.logging.handlers.PeriodicallyFlushingMemoryHandler) has no target handler',
  },
  {
    name: 'buffering handler in front of a file handler',
    mutate: editLog((config) => {
      Object.assign(handler(config, 'file'), { class: 'logging.FileHandler', filename: '/data/homeserver.log' });
      Object.assign(handler(config, 'buffer'), { class: 'logging.handlers.MemoryHandler', capacity: 10, target: 'file' });
    }),
    address: logFile,
    message: 'handler "buffer" buffers into "file" is "logging.FileHandler"',
  },
  {
    name: 'root without handlers',
    mutate: editLog((config) => (nested(config, 'root').handlers = [])),
    address: logFile,
    message: 'the root logger has no handler',
  },
  { name: 'no root logger', mutate: editLog((config) => delete config.root), address: logFile, message: 'the root logger has no handler' },
  {
    name: 'root using an undefined handler',
    mutate: editLog((config) => (nested(config, 'root').handlers = ['console', 'missing'])),
    address: logFile,
    message: 'the root logger uses the undefined handler "missing"',
  },
  {
    name: 'synapse at WARNING',
    mutate: editLog((config) => (logger(config, 'synapse').level = 'WARNING')),
    address: logFile,
    message: 'logger "synapse" logs at WARNING: requests and logins are logged at INFO',
  },
  {
    name: 'synapse unset under a WARNING root',
    mutate: editLog((config) => {
      delete nested(config, 'loggers').synapse;
      nested(config, 'root').level = 'WARNING';
    }),
    address: logFile,
    message: 'logger "synapse" logs at WARNING',
  },
  {
    name: 'synapse at NOTSET under the default root level',
    mutate: editLog((config) => {
      logger(config, 'synapse').level = 'NOTSET';
      delete nested(config, 'root').level;
    }),
    address: logFile,
    message: 'logger "synapse" logs at WARNING',
  },
  {
    name: 'access log silenced',
    mutate: editLog((config) => (logger(config, 'synapse.access.http.8008').level = 'ERROR')),
    address: logFile,
    message: 'logger "synapse.access.http.8008" logs at ERROR',
  },
  {
    name: 'a numeric level above INFO',
    mutate: editLog((config) => (logger(config, 'synapse').level = 30)),
    address: logFile,
    message: 'logger "synapse" logs at WARNING',
  },
  {
    name: 'a level Python does not know (lower case)',
    mutate: editLog((config) => (logger(config, 'synapse').level = 'info')),
    address: logFile,
    message: 'logger "synapse" has a level Python does not know ("info")',
  },
  {
    name: 'synapse not propagating, no handler of its own',
    mutate: editLog((config) => (logger(config, 'synapse').propagate = false)),
    address: logFile,
    message: 'INFO records of logger "synapse" reach no handler that writes them',
  },
  {
    name: 'the root handler above INFO',
    mutate: editLog((config) => (handler(config).level = 'WARNING')),
    address: logFile,
    message: 'INFO records of logger "synapse" reach no handler',
  },
  {
    name: 'existing loggers disabled (default) without a synapse logger',
    mutate: editLog((config) => {
      delete config.disable_existing_loggers;
      delete nested(config, 'loggers').synapse;
    }),
    address: logFile,
    message: 'disable_existing_loggers is not false and logger "synapse" is not configured',
  },
  {
    name: 'log_config pointing to a file that is not a logging config',
    mutate: editLog((config) => (config.version = 2)),
    address: logFile,
    message: 'version is 2: not a logging dictConfig',
  },
  {
    name: 'log_config pointing to a file the stack does not carry',
    mutate: setSynapse('log_config', '/config/logging.yaml'),
    address: synapseConfigFile,
    message: 'log_config points to /config/logging.yaml, but no ConfigMap of the stack carries logging.yaml',
  },
  {
    name: 'worker_log_config pointing to a file the stack does not carry',
    mutate: setSynapse('worker_log_config', '/config/worker-log.yaml', 'worker.yaml'),
    address: workerConfigFile,
    message: 'worker_log_config points to /config/worker-log.yaml',
  },
  {
    name: 'log_config not a path',
    mutate: setSynapse('log_config', 42),
    address: synapseConfigFile,
    message: 'log_config is 42, not a file path',
  },
  {
    name: 'another logging config in the stack, to a file',
    mutate: addConfigMap('extra-logging', { 'logging.yaml': FILE_LOGGING }),
    address: 'extra-logging_config data "logging.yaml"',
    message: 'handler "file" is "logging.FileHandler"',
  },
];

// ---------------------------------------------------------------- LOG-01: HAProxy
const globalSection = `${haproxyFile} global`;

/** Replaces each line matching `pattern` with `replacement` (none: removes it). */
function haproxyLine(pattern: RegExp, ...replacement: string[]): Mutation {
  return editHaproxy((lines) => {
    if (!lines.some((line) => pattern.test(line))) throw new Error(`haproxy.cfg has no line matching ${String(pattern)}`);
    return lines.flatMap((line) => (pattern.test(line) ? replacement : [line]));
  });
}

/** Inserts `added` after the line matching `pattern`. */
function haproxyAfter(pattern: RegExp, ...added: string[]): Mutation {
  return editHaproxy((lines) => {
    const at = lines.findIndex((line) => pattern.test(line));
    if (at < 0) throw new Error(`haproxy.cfg has no line matching ${String(pattern)}`);
    return [...lines.slice(0, at + 1), ...added, ...lines.slice(at + 1)];
  });
}

const GLOBAL_LOG = /^\s*log stdout format raw local0 info$/;

const DEFAULTS_LOG = /^\s*log global$/;

/** The rendered request log format (render/gateway/request-log.ts), in the defaults. */
const LOG_FORMAT = /^\s*log-format /;

/** A log-format line with the rendered format's request part replaced by `request`. */
function formatWith(request: string): string {
  return `  log-format "${REQUEST_LOG_FORMAT.replace('%HM %HPO %HV', request).replaceAll('"', '\\"')}"`;
}

const PUBLIC = /^frontend public$/;

const LOG_01_HAPROXY: BadCase[] = [
  {
    name: 'no log target in global',
    mutate: haproxyLine(GLOBAL_LOG),
    address: globalSection,
    message: 'no "log stdout" (or stderr) target',
  },
  {
    name: 'global logging to a syslog server only',
    mutate: haproxyLine(GLOBAL_LOG, '  log 10.0.0.5:514 local0 info'),
    address: globalSection,
    message: 'no "log stdout" (or stderr) target',
  },
  {
    name: 'global log level capped at notice',
    mutate: haproxyLine(GLOBAL_LOG, '  log stdout format raw local0 notice'),
    address: globalSection,
    message: 'caps the level at notice: request logs (info) are dropped',
  },
  {
    name: 'no global section',
    mutate: editHaproxy((lines) =>
      lines.filter(
        (line) => !/^global$/.test(line) && !GLOBAL_LOG.test(line) && !/^\s*(maxconn 4096|hard-stop-after|ssl-default|tune\.)/.test(line),
      ),
    ),
    address: haproxyFile,
    message: 'no global section',
  },
  {
    name: 'no log global in the defaults',
    mutate: haproxyLine(DEFAULTS_LOG),
    address: publicFrontend,
    message: 'forwards requests but logs nowhere: add "log global"',
  },
  {
    name: 'no log in the public frontend',
    mutate: haproxyAfter(PUBLIC, '  no log'),
    address: publicFrontend,
    message: 'forwards requests but logs nowhere',
  },
  {
    name: 'the defaults logging to a syslog server',
    mutate: haproxyLine(DEFAULTS_LOG, '  log 10.0.0.5:514 local0'),
    address: publicFrontend,
    message: 'logs only to 10.0.0.5:514',
  },
  {
    name: 'no log format',
    mutate: haproxyLine(LOG_FORMAT),
    address: publicFrontend,
    message: 'no request log format: requests are not logged with client address, method, path and status',
  },
  {
    name: 'option httplog (the full URI, query string included)',
    mutate: haproxyLine(LOG_FORMAT, '  option httplog'),
    address: publicFrontend,
    message: '"option httplog" logs each request\'s full URI with its query string, where bearer tokens travel',
  },
  {
    name: 'option httpslog',
    mutate: haproxyLine(LOG_FORMAT, '  option httpslog'),
    address: publicFrontend,
    message: '"option httpslog" logs each request\'s full URI with its query string',
  },
  {
    name: 'option httplog in the frontend, over the rendered format in the defaults',
    mutate: haproxyAfter(PUBLIC, '  option httplog'),
    address: publicFrontend,
    message: '"option httplog" logs each request\'s full URI',
  },
  {
    name: 'option httplog clf',
    mutate: haproxyLine(LOG_FORMAT, '  option httplog clf'),
    address: publicFrontend,
    message: '"option httplog" logs each request\'s full URI',
  },
  {
    name: 'option tcplog',
    mutate: haproxyLine(LOG_FORMAT, '  option tcplog'),
    address: publicFrontend,
    message: '"option tcplog" logs connections without method, path and status',
  },
  {
    name: 'log-format with the quoted request line (%{+Q}r)',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HPO %HV %{+Q}r')),
    address: publicFrontend,
    message: 'logs the query string (%{+Q}r), where bearer tokens travel (access_token=...)',
  },
  {
    name: 'log-format with the request line (%r)',
    mutate: haproxyLine(LOG_FORMAT, '  log-format "%ci:%cp [%tr] %ft %b/%s %ST %B %HM %HPO %r"'),
    address: publicFrontend,
    message: 'logs the query string (%r)',
  },
  {
    name: 'log-format with the URI (%HU) instead of the path',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HU %HV')),
    address: publicFrontend,
    message: 'logs the query string (%HU)',
  },
  {
    name: 'log-format with the path and the query (%HP%HQ)',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HP%HQ %HV')),
    address: publicFrontend,
    message: 'logs the query string (%HQ)',
  },
  {
    name: 'log-format with a sample of the URL (%[url])',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HPO %HV %[url,lower]')),
    address: publicFrontend,
    message: 'logs the query string (%[url,lower])',
  },
  {
    name: 'log-format with the token parameter (%[url_param(access_token)])',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HPO %HV %[url_param(access_token)]')),
    address: publicFrontend,
    message: 'logs the query string (%[url_param(access_token)])',
  },
  {
    name: 'log-format without the status',
    mutate: haproxyLine(LOG_FORMAT, '  log-format "%ci:%cp [%tr] %ft %b/%s %B \\"%HM %HPO %HV\\""'),
    address: publicFrontend,
    message: 'does not name the status (%ST)',
  },
  {
    name: 'log-format without the client address',
    mutate: haproxyLine(LOG_FORMAT, '  log-format "[%tr] %ft %b/%s %ST %B \\"%HM %HPO %HV\\""'),
    address: publicFrontend,
    message: 'does not name the client address (%ci)',
  },
  {
    name: 'log-format without method and path',
    mutate: haproxyLine(LOG_FORMAT, '  log-format "%ci:%cp [%tr] %ft %b/%s %ST %B"'),
    address: publicFrontend,
    message: 'does not name the method (%HM), the path without query (%HPO or %HP)',
  },
  {
    name: 'log-format with the path only as a literal (%%HPO)',
    mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %%HPO %HV')),
    address: publicFrontend,
    message: 'does not name the path without query',
  },
  {
    name: 'tcplog turned off in the frontend',
    mutate: (j) => {
      haproxyLine(LOG_FORMAT, '  option tcplog')(j);
      haproxyAfter(PUBLIC, '  no option tcplog')(j);
    },
    address: publicFrontend,
    message: 'no request log format',
  },
  {
    name: 'option dontlog-normal',
    mutate: haproxyAfter(LOG_FORMAT, '  option dontlog-normal'),
    address: publicFrontend,
    message: '"option dontlog-normal": successful requests',
  },
  {
    name: 'the frontend inheriting a named defaults section without logging',
    mutate: (j) => {
      haproxyAfter(
        /^resolvers cluster$/,
        '',
        'defaults quiet',
        '  mode http',
        '  timeout connect 5s',
        '  timeout client 60s',
        '  timeout server 60s',
        '',
      )(j);
      haproxyLine(PUBLIC, 'frontend public from quiet')(j);
    },
    address: publicFrontend,
    message: 'forwards requests but logs nowhere',
  },
];

// ---------------------------------------------------------------- LOG-01: slapd, PostgreSQL, Redis, OpenBao
const openldapContainer = containerAddress(R.openldapStatefulSet, 'openldap');

const redisContainer = containerAddress(R.redisDeployment, 'redis');

const redisFile = `${address(R.redisConfig)} data "redis.conf"`;

const openbaoRelease = address(R.openbaoRelease);

/** Rewrites the slapd command line's words after the program. */
function slapdArgs(edit: (args: string[]) => string[]): Mutation {
  return (j) => {
    const container = containerOf(j, R.openldapStatefulSet);
    const [program = 'slapd', ...args] = Array.isArray(container.command) ? container.command.map(String) : [];
    container.command = [program, ...edit(args)];
  };
}

/** The slapd arguments without any -d flag. */
function withoutDebug(args: string[]): string[] {
  const at = args.indexOf('-d');
  return at < 0 ? args : [...args.slice(0, at), ...args.slice(at + 2)];
}

/** Rewrites the postgres arguments (the words after `postgres`). */
function postgresArgs(edit: (args: string[]) => string[]): Mutation {
  return (j) => {
    const container = containerOf(j, R.postgresStatefulSet);
    const [program = 'postgres', ...args] = Array.isArray(container.args) ? container.args.map(String) : [];
    container.args = [program, ...edit(args)];
  };
}

function withoutSetting(name: string): (args: string[]) => string[] {
  return (args) => {
    const at = args.findIndex((word) => word.startsWith(`${name}=`));
    if (at < 1) throw new Error(`postgres has no setting ${name}`);
    return [...args.slice(0, at - 1), ...args.slice(at + 1)];
  };
}

function setting(name: string, value: string): (args: string[]) => string[] {
  return (args) => [...withoutSettingIfAny(name)(args), '-c', `${name}=${value}`];
}

function withoutSettingIfAny(name: string): (args: string[]) => string[] {
  return (args) => (args.some((word) => word.startsWith(`${name}=`)) ? withoutSetting(name)(args) : args);
}

function editRedisConf(edit: (text: string) => string): Mutation {
  return (j) => {
    const data = child(body(j, R.redisConfig), 'data');
    data['redis.conf'] = edit(String(data['redis.conf'] ?? ''));
  };
}

/** Edits the OpenBao chart values. */
function openbao(edit: (values: JsonObject) => void): Mutation {
  return (j) => editHelmValues(j, R.openbaoRelease, edit);
}

function server(values: JsonObject): JsonObject {
  return nested(values, 'server');
}

/** Rewrites the rendered standalone server configuration text. */
function openbaoConfig(edit: (text: string) => string): Mutation {
  return openbao((values) => {
    const standalone = nested(server(values), 'standalone');
    standalone.config = edit(String(standalone.config ?? ''));
  });
}

const AUDIT_BLOCK = /audit "file" "stdout" \{[\s\S]*?\n\}/;

function replaceAudit(replacement: string): (text: string) => string {
  return (text) => {
    if (!AUDIT_BLOCK.test(text)) throw new Error('the OpenBao config has no audit block');
    return text.replace(AUDIT_BLOCK, replacement);
  };
}

const LOG_01_SERVERS: BadCase[] = [
  {
    name: 'slapd without -d (daemon, syslog)',
    mutate: slapdArgs(withoutDebug),
    address: openldapContainer,
    message: 'runs slapd without -d: it detaches and logs to syslog',
  },
  {
    name: 'slapd -d conns',
    mutate: slapdArgs((args) => ['-d', 'conns', ...withoutDebug(args)]),
    address: openldapContainer,
    message: 'runs slapd with debug level 8, without stats (256)',
  },
  {
    name: 'slapd -d 8',
    mutate: slapdArgs((args) => ['-d', '8', ...withoutDebug(args)]),
    address: openldapContainer,
    message: 'without stats (256)',
  },
  {
    name: 'slapd -d stats reset by -d 0',
    mutate: slapdArgs((args) => [...args, '-d', '0']),
    address: openldapContainer,
    message: 'runs slapd with debug level 0, without stats',
  },
  {
    name: 'slapd started by a shell script without -d',
    mutate: (j) =>
      (containerOf(j, R.openldapStatefulSet).command = [
        'sh',
        '-ec',
        'exec /opt/bitnami/openldap/sbin/slapd -h ldaps://0.0.0.0:1636/ -F /run/slapd.d',
      ]),
    address: openldapContainer,
    message: 'runs slapd without -d',
  },
  {
    name: 'postgres without log_connections',
    mutate: postgresArgs(withoutSetting('log_connections')),
    address: postgresContainer,
    message: 'runs postgres with log_connections unset (off by default)',
  },
  {
    name: 'postgres log_connections=off',
    mutate: postgresArgs(setting('log_connections', 'off')),
    address: postgresContainer,
    message: 'runs postgres with log_connections =off',
  },
  {
    name: 'postgres without log_disconnections',
    mutate: postgresArgs(withoutSetting('log_disconnections')),
    address: postgresContainer,
    message: 'runs postgres with log_disconnections unset (off by default)',
  },
  {
    name: 'postgres log_disconnections=false',
    mutate: postgresArgs(setting('log_disconnections', 'false')),
    address: postgresContainer,
    message: 'log_disconnections =false',
  },
  {
    name: 'postgres logging_collector=on',
    mutate: postgresArgs(setting('logging_collector', 'on')),
    address: postgresContainer,
    message: 'logging_collector=on: the log goes to files inside the pod',
  },
  {
    name: 'postgres log_destination=syslog',
    mutate: postgresArgs(setting('log_destination', 'syslog')),
    address: postgresContainer,
    message: 'log_destination=syslog: not stderr',
  },
  {
    name: 'postgres image defaults (no args)',
    mutate: (j) => delete containerOf(j, R.postgresStatefulSet).args,
    address: postgresContainer,
    message: 'runs postgres with log_connections unset',
  },
  {
    name: 'postgres started by a shell script',
    mutate: (j) =>
      Object.assign(containerOf(j, R.postgresStatefulSet), {
        command: ['sh', '-c', 'exec postgres -c ssl=on -c log_disconnections=on'],
        args: [],
      }),
    address: postgresContainer,
    message: 'log_connections unset',
  },
  {
    name: 'redis logfile to a file',
    mutate: editRedisConf((text) => text.replace('logfile ""', 'logfile /data/redis.log')),
    address: redisFile,
    message: 'logfile "/data/redis.log" writes the log to a file inside the pod',
  },
  {
    name: 'redis.conf without logfile',
    mutate: editRedisConf((text) => text.replace('logfile ""\n', '')),
    address: redisFile,
    message: 'no logfile directive',
  },
  {
    name: 'redis logfile overridden later',
    mutate: editRedisConf((text) => `${text}LOGFILE "/data/redis.log"\n`),
    address: redisFile,
    message: 'logfile "/data/redis.log"',
  },
  {
    name: 'redis-server --logfile on the command line',
    mutate: (j) => (containerOf(j, R.redisDeployment).args = ['--logfile', '/data/redis.log']),
    address: redisContainer,
    message: 'runs redis-server with --logfile /data/redis.log',
  },
  {
    name: 'OpenBao without audit device',
    mutate: openbaoConfig(replaceAudit('')),
    address: openbaoRelease,
    message: 'server.standalone.config declares no audit "file" device with file_path = "stdout"',
  },
  {
    name: 'OpenBao auditing to a file in the pod',
    mutate: openbaoConfig((text) => text.replace('file_path = "stdout"', 'file_path = "/openbao/audit/audit.log"')),
    address: openbaoRelease,
    message: 'declares no audit "file" device with file_path = "stdout"',
  },
  {
    name: 'OpenBao auditing to a socket',
    mutate: openbaoConfig(
      replaceAudit('audit "socket" "siem" {\n  options {\n    address = "siem.example.org:9090"\n    socket_type = "tcp"\n  }\n}'),
    ),
    address: openbaoRelease,
    message: 'declares no audit "file" device',
  },
  {
    name: 'OpenBao standalone config unset (chart default)',
    mutate: openbao((values) => delete nested(server(values), 'standalone').config),
    address: openbaoRelease,
    message: 'server.standalone.config is not set',
  },
  {
    name: 'OpenBao dev mode',
    mutate: openbao((values) => (nested(server(values), 'dev').enabled = true)),
    address: openbaoRelease,
    message: 'a dev server has no configuration file and no audit device',
  },
  {
    name: 'OpenBao config that is not HCL',
    mutate: openbaoConfig((text) => `${text}\naudit "file" {`),
    address: openbaoRelease,
    message: 'server.standalone.config cannot be read as HCL',
  },
  {
    name: 'OpenBao HA with Raft, its raft config without audit',
    mutate: openbao((values) => {
      const config = String(nested(server(values), 'standalone').config ?? '');
      nested(server(values), 'ha').enabled = true;
      Object.assign(nested(server(values), 'ha', 'raft'), { enabled: true, config: replaceAudit('')(config) });
    }),
    address: openbaoRelease,
    message: 'server.ha.raft.config declares no audit "file" device',
  },
  {
    name: 'OpenBao with neither standalone nor HA',
    mutate: openbao((values) => (nested(server(values), 'standalone').enabled = false)),
    address: openbaoRelease,
    message: 'neither server.standalone nor server.ha is enabled',
  },
  {
    name: 'OpenBao values that cannot be read',
    mutate: (j) => (body(j, R.openbaoRelease).values = ['- not\n- a mapping\n']),
    address: openbaoRelease,
    message: 'values cannot be read',
  },
];

export const cases: RuleCases = {
  bad: [...LOG_01_SYNAPSE, ...LOG_01_HAPROXY, ...LOG_01_SERVERS],
  good: [
    { name: 'Synapse without log_config (its default: stderr at INFO)', mutate: setSynapse('log_config', undefined) },
    { name: 'stream handler on ext://sys.stdout', mutate: editLog((config) => (handler(config).stream = 'ext://sys.stdout')) },
    {
      name: "Synapse's buffering handler in front of the console",
      mutate: editLog((config) => {
        Object.assign(handler(config, 'buffer'), {
          class: 'synapse.logging.handlers.PeriodicallyFlushingMemoryHandler',
          target: 'console',
          capacity: 10,
          flushLevel: 30,
          period: 5,
        });
        nested(config, 'root').handlers = ['buffer'];
      }),
    },
    {
      name: 'root configured as the "" logger, synapse at DEBUG',
      mutate: editLog((config) => {
        nested(config, 'loggers')[''] = config.root ?? {};
        delete config.root;
        logger(config, 'synapse').level = 'DEBUG';
      }),
    },
    { name: 'synapse at NOTSET under an INFO root', mutate: editLog((config) => (logger(config, 'synapse').level = 'NOTSET')) },
    {
      name: 'synapse not propagating, with the console as its own handler',
      mutate: editLog((config) => Object.assign(logger(config, 'synapse'), { propagate: false, handlers: ['console'] })),
    },
    {
      name: 'a quieter non-access logger (synapse.storage.SQL at ERROR)',
      mutate: editLog((config) => (logger(config, 'synapse.storage.SQL').level = 'ERROR')),
    },
    { name: 'HAProxy logging to stderr', mutate: haproxyLine(GLOBAL_LOG, '  log stderr format raw local0 info') },
    { name: 'HAProxy global log without a level (every level)', mutate: haproxyLine(GLOBAL_LOG, '  log stdout format raw local0') },
    {
      name: 'HAProxy global log at debug, plus a syslog copy',
      mutate: haproxyLine(GLOBAL_LOG, '  log stdout len 8192 format raw local0 debug', '  log 10.0.0.5:514 local0 notice'),
    },
    {
      name: 'HAProxy log-format over an inherited option httplog',
      mutate: haproxyAfter(DEFAULTS_LOG, '  option httplog'),
    },
    {
      name: 'HAProxy log-format with %HP and a literal %% (no query field)',
      mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HP %HV 100%%')),
    },
    {
      name: 'HAProxy log-format with the path as a sample (%[path]) beside %HPO',
      mutate: haproxyLine(LOG_FORMAT, formatWith('%HM %HPO %HV %[path]')),
    },
    {
      name: 'HAProxy log global and the log-format in the frontend itself',
      mutate: (j) => {
        haproxyLine(DEFAULTS_LOG)(j);
        haproxyLine(LOG_FORMAT)(j);
        haproxyAfter(PUBLIC, '  log global', `  ${REQUEST_LOG_FORMAT_LINE}`)(j);
      },
    },
    {
      name: 'HAProxy frontend from a named defaults section with the log-format',
      mutate: (j) => {
        haproxyLine(DEFAULTS_LOG)(j);
        haproxyLine(LOG_FORMAT)(j);
        haproxyAfter(
          /^resolvers cluster$/,
          '',
          'defaults logged',
          '  mode http',
          '  log global',
          `  ${REQUEST_LOG_FORMAT_LINE}`,
          '  timeout connect 5s',
          '  timeout client 60s',
          '  timeout server 60s',
          '',
        )(j);
        haproxyLine(PUBLIC, 'frontend public from logged')(j);
      },
    },
    { name: 'slapd -d 256', mutate: slapdArgs((args) => ['-d', '256', ...withoutDebug(args)]) },
    { name: 'slapd -d 0x108 (stats and conns, hex)', mutate: slapdArgs((args) => ['-d', '0x108', ...withoutDebug(args)]) },
    { name: 'slapd -d conns,Stats', mutate: slapdArgs((args) => ['-d', 'conns,Stats', ...withoutDebug(args)]) },
    { name: 'slapd -dany', mutate: slapdArgs((args) => ['-dany', ...withoutDebug(args)]) },
    { name: 'slapd -d -1', mutate: slapdArgs((args) => ['-d', '-1', ...withoutDebug(args)]) },
    { name: 'slapd -d conns -d stats (OR-ed)', mutate: slapdArgs((args) => ['-d', 'conns', '-d', 'stats', ...withoutDebug(args)]) },
    {
      name: 'postgres log_connections=true, log_disconnections=yes',
      mutate: postgresArgs((args) => setting('log_disconnections', 'yes')(setting('log_connections', 'true')(args))),
    },
    {
      name: 'postgres 18 log_connections as a list',
      mutate: postgresArgs(setting('log_connections', 'receipt,authentication,authorization')),
    },
    {
      name: 'postgres long options (--log-connections=on)',
      mutate: postgresArgs((args) => [
        ...withoutSetting('log_disconnections')(withoutSetting('log_connections')(args)),
        '--log-connections=on',
        '--log_disconnections=on',
      ]),
    },
    {
      name: 'postgres log_destination=stderr, logging_collector=off',
      mutate: postgresArgs((args) => setting('logging_collector', 'off')(setting('log_destination', 'stderr')(args))),
    },
    { name: "redis logfile '' (single quotes)", mutate: editRedisConf((text) => text.replace('logfile ""', "logfile ''")) },
    { name: 'redis-server --logfile "" on the command line', mutate: (j) => (containerOf(j, R.redisDeployment).args = ['--logfile', '']) },
    {
      name: 'OpenBao auditing to /dev/stdout',
      mutate: openbaoConfig((text) => text.replace('file_path = "stdout"', 'file_path = "/dev/stdout"')),
    },
    {
      name: 'OpenBao options as an attribute map',
      mutate: openbaoConfig(replaceAudit('audit "file" "stdout" {\n  options = {\n    file_path = "stdout"\n  }\n}')),
    },
    {
      name: 'OpenBao config as a mapping (rendered as JSON by the chart), a second device to a file',
      mutate: openbao((values) => {
        nested(server(values), 'standalone').config = {
          storage: { raft: { path: '/openbao/data' } },
          audit: [
            { file: { 'to-stdout': { options: { file_path: '/dev/stdout' } } } },
            { file: { archive: { options: { file_path: '/openbao/audit/audit.log' } } } },
          ],
        };
      }),
    },
    {
      name: 'OpenBao HCL with comments and a heredoc',
      mutate: openbaoConfig((text) => `/* audited */\n# comment\n${text}\nui_banner = <<EOT\nauthorised use only\nEOT\n`),
    },
    {
      name: 'OpenBao not installed by this stack (external server)',
      mutate: openbao((values) =>
        Object.assign(nested(values, 'global'), { externalBaoAddr: 'https://bao.example.org' }, { enabled: true }),
      ),
    },
  ],
};
