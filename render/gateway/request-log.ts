/**
 * The request log format of every HAProxy this project renders: HAProxy's own HTTP log format
 * (`option httplog`) with the request line replaced by method, path and version. The query
 * string is never logged: bearer tokens travel there (LiveKit's join token on `/rtc`, the
 * Matrix OpenID token on `/_matrix/federation/v1/openid/userinfo`, legacy `access_token`
 * parameters), and whoever reads the logs could replay them.
 */

/** The fields, as HAProxy reads them: `%HPO` is the path alone (no scheme, authority or query). */
export const REQUEST_LOG_FORMAT =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs "%HM %HPO %HV"';

/** The format as a `log-format` line: one double-quoted HAProxy word, its own quotes escaped. */
export const REQUEST_LOG_FORMAT_LINE = `log-format "${REQUEST_LOG_FORMAT.replaceAll('"', '\\"')}"`;
