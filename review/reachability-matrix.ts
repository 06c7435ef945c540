/** The reachability matrix as Markdown. */
import { ANY_NAMESPACE_ZONE, comparePortLabels, OUTSIDE_ZONE, type Reachability } from '../tfjson/reachability';

const NO_FLOW = '·';

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A Markdown table (rows: from, columns: to) with a one-line legend under it. */
export function renderReachabilityMatrix(reachability: Reachability, title = 'Reachability'): string {
  const zones = [...reachability.zones];
  for (const flow of reachability.flows) for (const zone of [flow.from, flow.to]) if (!zones.includes(zone)) zones.push(zone);
  const cells = new Map<string, string[]>();
  for (const flow of reachability.flows) {
    const key = `${flow.from}\0${flow.to}`;
    cells.set(key, [...(cells.get(key) ?? []), flow.port]);
  }
  const lines = [`**${cellText(title)}**`, ''];
  if (zones.length === 0) return [...lines, '_No namespaces._', ''].join('\n');
  lines.push(`| from \\ to | ${zones.map(cellText).join(' | ')} |`, `|---|${zones.map(() => '---').join('|')}|`);
  for (const from of zones) {
    const row = zones.map((to) => {
      const ports = [...new Set(cells.get(`${from}\0${to}`) ?? [])].sort(comparePortLabels);
      return ports.length === 0 ? NO_FLOW : cellText(ports.join(', '));
    });
    lines.push(`| **${cellText(from)}** | ${row.join(' | ')} |`);
  }
  const legend = [
    `Rows: from, columns: to; a cell lists the ports both the sender's egress and the receiver's ingress NetworkPolicies allow, \`${NO_FLOW}\` none`,
    '`all/TCP`: every TCP port; `name/TCP`: a named container port',
  ];
  if (zones.includes(OUTSIDE_ZONE)) legend.push('`outside`: addresses outside the cluster (ipBlock peers)');
  if (zones.includes(ANY_NAMESPACE_ZONE)) legend.push('`any namespace`: namespaces the stacks neither declare nor name');
  const unmanaged = reachability.unmanaged ?? [];
  if (unmanaged.length > 0) legend.push(`not declared here, modelled without NetworkPolicies: ${unmanaged.join(', ')}`);
  lines.push('', `${legend.join('; ')}.`, '');
  return lines.join('\n');
}
