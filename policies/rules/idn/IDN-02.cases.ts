/** The case table of IDN-02 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { editHaproxy, haproxyFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import type { Mutation } from '../../../test/policies/fixtures';

const USE_IDENTITY = '  use_backend identity ';
const publicFrontend = `${haproxyFile} frontend public`;

/** Replaces the frontend's route to the identity backend by `route`, with `acls` declared just before it. */
function identityRoute(route: string, ...acls: string[]): Mutation {
  return editHaproxy((lines) => {
    if (!lines.some((line) => line.startsWith(USE_IDENTITY))) throw new Error('haproxy.cfg has no route to the identity backend');
    return lines.flatMap((line) => (line.startsWith(USE_IDENTITY) ? [...acls.map((acl) => `  acl ${acl}`), `  ${route}`] : [line]));
  });
}

/** Inserts `added` right after the first line that starts with `after`. */
function insertAfter(after: string, ...added: string[]): Mutation {
  return editHaproxy((lines) => {
    const at = lines.findIndex((line) => line.startsWith(after));
    if (at < 0) throw new Error(`haproxy.cfg has no line ${after}`);
    return [...lines.slice(0, at + 1), ...added, ...lines.slice(at + 1)];
  });
}

/** Replaces the first line that starts with `from`. */
function replaceLine(from: string, to: string): Mutation {
  return editHaproxy((lines) => {
    const at = lines.findIndex((line) => line.startsWith(from));
    if (at < 0) throw new Error(`haproxy.cfg has no line ${from}`);
    return lines.map((line, index) => (index === at ? to : line));
  });
}

const PUBLIC_ROUTES = 'identity_logout || identity_authorize || identity_login_actions || identity_resources';

export const cases: RuleCases = {
  bad: [
    {
      name: 'everything under /auth/ routed (admin console and API, master realm, token endpoint)',
      mutate: identityRoute('use_backend identity if identity_any', 'identity_any path_beg /auth/'),
      address: publicFrontend,
      message: 'routes /auth/admin/ to the identity provider',
    },
    {
      name: 'the same route: not provably limited to the public paths',
      mutate: identityRoute('use_backend identity if identity_any', 'identity_any path_beg /auth/'),
      address: publicFrontend,
      message: 'the route "identity_any" is not limited to the realm\'s public paths',
    },
    {
      name: 'the master realm through a regex over every realm',
      mutate: identityRoute('use_backend identity if any_realm', 'any_realm path_reg ^/auth/realms/[^/]+/protocol/openid-connect/auth$'),
      address: publicFrontend,
      message: 'routes /auth/realms/master/protocol/openid-connect/auth to the identity provider',
    },
    {
      name: 'the authorization endpoint as a prefix (also the device endpoint under it)',
      mutate: identityRoute(
        `use_backend identity if authorize_prefix`,
        'authorize_prefix path_beg /auth/realms/matrix/protocol/openid-connect/auth',
      ),
      address: publicFrontend,
      message: 'routes /auth/realms/matrix/protocol/openid-connect/auth/device',
    },
    {
      name: 'the token endpoint added to the route',
      mutate: identityRoute(
        `use_backend identity if ${PUBLIC_ROUTES} || identity_token`,
        'identity_token path /auth/realms/matrix/protocol/openid-connect/token',
      ),
      address: publicFrontend,
      message: 'routes /auth/realms/matrix/protocol/openid-connect/token to the identity provider',
    },
    {
      name: "another realm's login pages",
      mutate: identityRoute(`use_backend identity if ${PUBLIC_ROUTES} || other_realm`, 'other_realm path_beg /auth/realms/other/'),
      address: publicFrontend,
      message: 'routes /auth/realms/other/protocol/openid-connect/auth',
    },
    {
      name: 'a route without a condition',
      mutate: identityRoute('use_backend identity'),
      address: publicFrontend,
      message: /^use_backend identity \(line \d+\) has no condition: it sends every path to the identity provider$/,
    },
    {
      name: 'the identity backend as the default backend',
      mutate: insertAfter(USE_IDENTITY, '  default_backend identity'),
      address: publicFrontend,
      message: /^default_backend identity \(line \d+\) sends every unclaimed path to the identity provider$/,
    },
    {
      name: 'a case-insensitive match (cannot be proven from the pattern alone)',
      mutate: identityRoute(`use_backend identity if resources_ci`, 'resources_ci path_beg -i /auth/resources/'),
      address: publicFrontend,
      message: 'the route "resources_ci" is not limited',
    },
    {
      name: 'an exact path with a dot segment (the server resolves it elsewhere)',
      mutate: identityRoute('use_backend identity if traversal', 'traversal path /auth/resources/../admin/master/console/'),
      address: publicFrontend,
      message: 'the route "traversal" is not limited',
    },
    {
      name: 'a route by exclusion (unless)',
      mutate: identityRoute('use_backend identity unless client_api'),
      address: publicFrontend,
      message: 'the route "unless client_api" is not limited',
    },
    {
      name: 'a route whose only term is negated',
      mutate: identityRoute('use_backend identity if !client_api'),
      address: publicFrontend,
      message: 'the route "!client_api" is not limited',
    },
    {
      name: 'a computed backend name',
      mutate: insertAfter(USE_IDENTITY, '  use_backend %[req.hdr(x-backend),lower]'),
      address: publicFrontend,
      message: 'computes its backend: which requests reach the identity provider cannot be verified',
    },
    {
      name: 'a path rewrite in the identity backend',
      mutate: insertAfter('backend identity', '  http-request set-path /auth/admin/master/console/'),
      address: `${haproxyFile} backend identity`,
      message: /^http-request set-path \(line \d+\) rewrites the path after routing/,
    },
    {
      name: 'Keycloak behind a backend of another name',
      mutate: (j) => {
        insertAfter(USE_IDENTITY, '  use_backend sso if { path_beg /auth/ }')(j);
        editHaproxy((lines) => [
          ...lines,
          'backend sso',
          '  server kc keycloak.agency-identity.svc:8443 ssl verify required ca-file /trust/ca.crt',
          '',
        ])(j);
      },
      address: publicFrontend,
      message: /^use_backend sso \(line \d+\) routes \/auth\/admin\/ to the identity provider$/,
    },
  ],
  good: [
    {
      name: 'a public route further limited to GET',
      mutate: identityRoute(
        `use_backend identity if identity_authorize METH_GET || identity_logout || identity_login_actions || identity_resources`,
      ),
    },
    {
      name: 'logout as an anchored regex of one path',
      mutate: replaceLine('  acl identity_logout ', '  acl identity_logout path_reg ^/auth/realms/matrix/protocol/openid-connect/logout$'),
    },
    {
      name: 'a narrower prefix under the login pages',
      mutate: replaceLine(
        '  acl identity_login_actions ',
        '  acl identity_login_actions path_beg /auth/realms/matrix/login-actions/authenticate',
      ),
    },
  ],
  notApplicable: [
    {
      name: 'no identity backend (the gateway routes nothing to Keycloak)',
      mutate: editHaproxy((lines) => {
        const start = lines.findIndex((line) => line === 'backend identity');
        const end = lines.findIndex((line, index) => index > start && line.trim() === '');
        return lines.filter((line, index) => !line.startsWith(USE_IDENTITY) && (index < start || index > end));
      }),
    },
  ],
};
