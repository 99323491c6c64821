// Reads the results of .ci/conformance (one folder per scenario, the suite's
// checks.json in it), prints and writes the scenario table, and exits 1 on a
// failure the expected-failures file does not list or on a stale entry.
// Usage: node conformance-report.mjs OUT EXPECTED VERSION "LIST OUTPUT" TABLE|'' [client|server]
import fs from 'node:fs';
import path from 'node:path';

const [out, expectedFile, version, listing, tablePath, kind = 'client'] = process.argv.slice(2);

// "  - auth/scope-step-up [2025-11-25]" → its spec versions.
const specs = {};
for (const line of listing.split('\n')) {
  const m = line.match(/^ {2}- (\S+) \[([^\]]*)\]/);
  if (m) specs[m[1]] = m[2];
}

const expected = new Map();
if (fs.existsSync(expectedFile)) {
  for (const line of fs.readFileSync(expectedFile, 'utf8').split('\n')) {
    const text = line.replace(/#.*/, '').trim();
    if (text) expected.set(text.split(/\s+/)[0], line.split('#')[1]?.trim() ?? '');
  }
}

function findChecks(dir) {
  if (!fs.existsSync(dir)) return null;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findChecks(p);
      if (found) return found;
    } else if (entry.name === 'checks.json') {
      return p;
    }
  }
  return null;
}

// A client that offers a newer protocol than the suite's test server knows
// is what the spec asks of a client (offer the newest it supports, accept
// the server's answer); the suite's initialize check compares it with its
// own version.
function suiteOlderThanClient(check) {
  const d = check.details ?? {};
  return (
    kind === 'client' &&
    check.id === 'mcp-client-initialization' &&
    typeof d.protocolVersionSent === 'string' &&
    typeof d.expectedSpecVersion === 'string' &&
    d.protocolVersionSent > d.expectedSpecVersion
  );
}

const ran = fs.readFileSync(path.join(out, 'ran.txt'), 'utf8').split('\n').filter(Boolean);
const rows = [];
let unexpected = 0;
for (const scenario of ran) {
  const dir = path.join(out, scenario.replaceAll('/', '_'));
  const file = findChecks(path.join(dir, 'results'));
  let checks = [];
  if (file) checks = JSON.parse(fs.readFileSync(file, 'utf8'));
  const counted = checks.filter((c) => ['SUCCESS', 'FAILURE', 'WARNING'].includes(c.status));
  const passed = counted.filter((c) => c.status !== 'FAILURE').length;
  const failures = counted.filter((c) => c.status === 'FAILURE');
  const older = failures.filter(suiteOlderThanClient);
  const real = failures.filter((c) => !suiteOlderThanClient(c));
  const ok = file !== null && counted.length > 0 && real.length === 0;
  let result = ok ? 'pass' : 'FAIL';
  const notes = [];
  if (older.length) {
    const d = older[0].details;
    result = 'pass*';
    notes.push(
      `suite older than client: the client offered ${d.protocolVersionSent}, the suite expects ${d.expectedSpecVersion}; the server answered and the session went on`,
    );
  }
  if (!file) notes.push('no result (the suite did not run the client to the end)');
  for (const c of real.slice(0, 3)) {
    notes.push(`${c.name}: ${(c.errorMessage ?? c.description ?? '').replaceAll('|', '/').slice(0, 160)}`);
  }
  if (real.length > 3) notes.push(`… ${real.length - 3} more`);
  const listed = expected.has(scenario);
  let verdict = '';
  if (!ok && !listed) {
    verdict = 'unexpected failure';
    unexpected++;
  } else if (ok && listed) {
    verdict = 'passes but is listed as an expected failure (remove it)';
    unexpected++;
  } else if (!ok && listed) {
    verdict = `expected: ${expected.get(scenario)}`;
  }
  rows.push({ scenario, spec: specs[scenario] ?? '', passed, total: counted.length, result, notes, verdict });
  console.log(`${result.padEnd(5)} ${scenario} (${passed}/${counted.length})${verdict ? ' — ' + verdict : ''}`);
}

const passing = rows.filter((r) => r.result !== 'FAIL').length;
console.log(`\n${passing} of ${rows.length} ${kind} scenarios pass`);

if (tablePath) {
  const intro =
    kind === 'client'
      ? [
          '# MCP conformance: the Hub as a client',
          '',
          `The official suite \`@modelcontextprotocol/conformance@${version}\`, every client scenario, run by \`.ci/conformance\` (CI runs it) against \`src-core/src/bin/mcp_conformance.rs\`: the Hub's own client (\`McpHub\`, the path the MCP Hub page and Flow use) driven headless. Regenerate with \`bash .ci/conformance\`.`,
          '',
          `**${passing} of ${rows.length} scenarios pass.** *pass\\** = every check passes but the one marked "suite older than client".`,
        ]
      : [
          '# MCP conformance: the gateway as a server',
          '',
          `The official suite \`@modelcontextprotocol/conformance@${version}\`, every server scenario, run by \`.ci/conformance\` (CI runs it) against the app's MCP gateway serving the workshop's own tools (\`mcp-conformance --gateway\`: the gateway of a headless app, each tool allowed by rule, behind a loopback proxy that adds the bearer token the suite cannot send). Most server scenarios call the suite's reference tools, resources and prompts (\`test_simple_text\`, \`test_prompt_with_arguments\` …), which a workshop does not have: they are listed in \`.ci/conformance-server-expected-failures\` with the reason. Regenerate with \`bash .ci/conformance\`.`,
          '',
          `**${passing} of ${rows.length} scenarios pass**; every scenario that applies to the gateway's capabilities (tools) passes.`,
        ];
  const lines = [
    ...intro,
    '',
    '| scenario | spec | checks passed | result | notes |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.scenario}\` | ${r.spec} | ${r.passed}/${r.total} | ${r.result} | ${[...r.notes, r.verdict].filter(Boolean).join('; ')} |`,
    ),
    '',
  ];
  fs.writeFileSync(tablePath, lines.join('\n'));
  console.log(`written: ${tablePath}`);
}
process.exit(unexpected ? 1 : 0);
