/**
 * The Synapse metric and servlet names the directory-scraping alerts read, checked against
 * the real Synapse of the deployed version (installed from PyPI in the test venv): the
 * request counter's name and labels, the servlet classes that serve the user-directory search
 * and profile lookups (by the paths clients call), that the `servlet` label is the class name,
 * and the exposition of Synapse's own metrics listener.
 */
import { spawnSync } from 'node:child_process';
import { SYNAPSE_METRICS_PATH } from '../../model/monitoring';
import { ALERT_METRICS } from '../../render/monitoring/alert-rules';
import { freePort } from '../support/slapd';
import { ensureSynapseVenv } from '../support/synapse-venv';

// The first run on a machine builds the venv (about a minute).
jest.setTimeout(10 * 60_000);

const PROBE = String.raw`
import inspect, json, sys, time, urllib.request
from synapse.http import request_metrics
from synapse.http.servlet import RestServlet
from synapse.rest.client import profile, user_directory
from synapse.app._base import listen_metrics

args = json.load(sys.stdin)
paths = args["paths"]
servlets = {
    "UserDirectorySearchRestServlet": user_directory.UserDirectorySearchRestServlet,
    "ProfileRestServlet": profile.ProfileRestServlet,
    "ProfileFieldRestServlet": profile.ProfileFieldRestServlet,
}
counter = request_metrics.requests_counter
result = {
    "counterName": counter._name,
    "counterType": counter._type,
    "counterLabels": list(counter._labelnames),
    "classNames": {name: cls.__name__ for name, cls in servlets.items()},
    "handlers": {name: sorted({p for p in paths if any(pattern.match(p) for pattern in cls.PATTERNS)}) for name, cls in servlets.items()},
    "profileMethods": {name: sorted(m for m in ("on_GET", "on_PUT", "on_POST", "on_DELETE") if hasattr(cls, m)) for name, cls in servlets.items()},
    "registerUsesClassName": "servlet_classname = self.__class__.__name__" in inspect.getsource(RestServlet.register),
    "profileRegisters": inspect.getsource(profile.register_servlets),
    "directoryRegisters": inspect.getsource(user_directory.register_servlets),
}
counter.labels(method="POST", servlet=user_directory.UserDirectorySearchRestServlet.__name__, server_name="matrix.agency.example.org").inc(3)
counter.labels(method="GET", servlet=profile.ProfileRestServlet.__name__, server_name="matrix.agency.example.org").inc(2)
servers = listen_metrics(["127.0.0.1"], args["port"])
text = ""
for _ in range(50):
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d%s" % (args["port"], args["path"]), timeout=5).read().decode()
        break
    except OSError:
        time.sleep(0.1)
result["exposition"] = [line for line in text.splitlines() if line.startswith("synapse_http_server_requests_received")]
for server, _thread in servers:
    server.shutdown()
print(json.dumps(result))
`;

interface ProbeResult {
  counterName: string;
  counterType: string;
  counterLabels: string[];
  classNames: Record<string, string>;
  handlers: Record<string, string[]>;
  profileMethods: Record<string, string[]>;
  registerUsesClassName: boolean;
  profileRegisters: string;
  directoryRegisters: string;
  exposition: string[];
}

const CLIENT_PATHS = [
  '/_matrix/client/v3/user_directory/search',
  '/_matrix/client/r0/user_directory/search',
  '/_matrix/client/v3/profile/@alice:agency.example.org',
  '/_matrix/client/r0/profile/@alice:agency.example.org',
  '/_matrix/client/v3/profile/@alice:agency.example.org/displayname',
  '/_matrix/client/v3/profile/@alice:agency.example.org/avatar_url',
  '/_matrix/client/v3/sync',
];

describe('Synapse metric and servlet names used by the directory-scraping alerts (real Synapse)', () => {
  let probe: ProbeResult;
  beforeAll(async () => {
    const python = ensureSynapseVenv();
    const port = await freePort();
    const run = spawnSync(python, ['-c', PROBE], {
      input: JSON.stringify({ paths: CLIENT_PATHS, port, path: SYNAPSE_METRICS_PATH }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`synapse probe failed: ${run.stderr}`);
    probe = JSON.parse(run.stdout) as ProbeResult;
  });

  it('counts received requests as a counter exposed as synapse_http_server_requests_received_total, by method and servlet', () => {
    expect(`${probe.counterName}_total`).toBe(ALERT_METRICS.synapseRequests.metric);
    expect(probe.counterType).toBe('counter');
    expect(probe.counterLabels).toEqual(expect.arrayContaining(['method', 'servlet']));
  });

  it('labels requests with the servlet class name', () => {
    expect(probe.registerUsesClassName).toBe(true);
    for (const name of [...ALERT_METRICS.userDirectoryServlets, ...ALERT_METRICS.profileServlets])
      expect(probe.classNames[name]).toBe(name);
  });

  it('serves the user-directory search with the servlet the alert selects', () => {
    expect(probe.handlers[ALERT_METRICS.userDirectoryServlets[0]]).toEqual([
      '/_matrix/client/r0/user_directory/search',
      '/_matrix/client/v3/user_directory/search',
    ]);
    expect(probe.directoryRegisters).toContain('UserDirectorySearchRestServlet(hs).register(http_server)');
  });

  it('serves every profile lookup path with the servlets the alert selects, and both are registered', () => {
    const profilePaths = ALERT_METRICS.profileServlets.flatMap((name) => probe.handlers[name] ?? []).sort();
    expect(profilePaths).toEqual(CLIENT_PATHS.filter((candidate) => candidate.includes('/profile/')).sort());
    for (const name of ALERT_METRICS.profileServlets) {
      expect(probe.profileRegisters).toContain(`${name}(hs).register(http_server)`);
      // Lookups are GETs; the alert counts only those (display-name changes are PUTs).
      expect(probe.profileMethods[name]).toContain('on_GET');
    }
  });

  it("is exposed under these names by Synapse's metrics listener", () => {
    expect(probe.exposition).toEqual(
      expect.arrayContaining([
        'synapse_http_server_requests_received_total{method="POST",server_name="matrix.agency.example.org",servlet="UserDirectorySearchRestServlet"} 3.0',
        'synapse_http_server_requests_received_total{method="GET",server_name="matrix.agency.example.org",servlet="ProfileRestServlet"} 2.0',
      ]),
    );
  });
});
