// Lint Cypher statements with Neo4j's own analyser (@neo4j-cypher/language-support,
// the parser and semantic analysis behind Neo4j's editors), all in one node process.
//
// stdin:  {"NAME": "STATEMENT", ...}
// stdout: {"NAME": [{"severity": "error"|"warning", "message": "...",
//                    "position": {"line": 1, "column": 1, "offset": 0}}, ...], ...}
//         (line and column count from 1, offset from 0; a clean statement maps to [])
//
// Run with an empty db schema ({defaultLanguage: 'CYPHER 5'}, the language of Neo4j 5.26 LTS),
// so nothing depends on a live database. What that means, as found with 2.0.0-next.38:
// - Syntax errors are errors: "MATCH (n RETURN n" -> "Invalid input 'RETURN': expected ...".
// - Semantic errors are errors: "MATCH (n) RETURN m" -> "Variable `m` not defined"; also
//   duplicate columns, UNION column mismatches, RETURN * with nothing in scope.
// - Deprecations are warnings, from the semantic analysis itself:
//   "MATCH (n) RETURN id(n) AS i" -> "The query used a deprecated function. ('id' has been
//     replaced by 'elementId ...')";
//   "MATCH (n) CALL { WITH n RETURN n.x AS x } RETURN x" -> "CALL subquery without a variable
//     scope clause is deprecated. Use CALL (n) { ... }" (also for CALL { WITH r ... } IN TRANSACTIONS);
//   "MATCH (a)-[:A|:B]->(b) RETURN a" -> "The semantics of using colon in the separation of
//     alternative relationship types will change ...".
// - Syntax removed in Cypher 5 is an error, not a warning: "MATCH (n) WHERE exists(n.prop)
//   RETURN n" -> "The property existence syntax `... exists(variable.property)` is no longer
//   supported"; likewise CREATE INDEX ON, CONSTRAINT ... ASSERT, PERIODIC COMMIT, 0XFF, 0123,
//   size() of a pattern.
// - Performance hints are warnings too: an unbounded shortestPath((a)-[*]-(b)).
// - Not caught without a schema: unknown functions or procedures (foo(1), the removed
//   distance()), type errors (1 + "a"), unknown labels, relationship types and properties.
// - "Parameter $x is not defined." is dropped (isNotParamError): the adapter passes every
//   value as a parameter and the schema declares none.
// Added here: a string holding more than one statement is an error (a driver runs one), and so
// is a `CYPHER 25` prefix (the analyser accepts it; Neo4j 5.26 does not), and console commands
// (":param") are rejected rather than skipped (consoleCommandsEnabled: false).
import { isNotParamError, lintCypherQuery, parseStatementsStrs } from '@neo4j-cypher/language-support';

/** @typedef {{severity: 'error'|'warning', message: string, position: {line: number, column: number, offset: number}}} Finding */

const START = { line: 1, column: 1, offset: 0 };

/** @param {string} query @returns {Finding[]} */
function lint(query) {
  const { diagnostics } = lintCypherQuery(query, { defaultLanguage: 'CYPHER 5' }, { consoleCommandsEnabled: false });
  /** @type {Finding[]} */
  const findings = diagnostics.filter(isNotParamError).map((d) => ({
    // LSP severities: 1 error, 2 warning, 3 information, 4 hint; anything but an error counts as a warning.
    severity: d.severity === 1 ? 'error' : 'warning',
    message: d.message,
    position: { line: d.range.start.line + 1, column: d.range.start.character + 1, offset: d.offsets.start },
  }));
  const parts = parseStatementsStrs(query).filter((s) => s.replace(/;\s*$/, '').trim() !== '');
  if (parts.length > 1) {
    findings.push({ severity: 'error', message: `${parts.length} statements in one string; the driver sends one.`, position: START });
  }
  if (/^\s*CYPHER\s+25\b/i.test(query)) {
    findings.push({ severity: 'error', message: 'CYPHER 25 is not available on Neo4j 5.26; write Cypher 5.', position: START });
  }
  if (query.trim() === '') {
    findings.push({ severity: 'error', message: 'Empty statement.', position: START });
  }
  return findings;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const statements = JSON.parse(input);
if (statements === null || typeof statements !== 'object' || Array.isArray(statements)
    || Object.values(statements).some((q) => typeof q !== 'string')) {
  console.error('lint.mjs: stdin must be a JSON object of {name: statement string}');
  process.exit(2);
}
/** @type {Record<string, Finding[]>} */
const out = {};
for (const [name, query] of Object.entries(statements)) out[name] = lint(query);
process.stdout.write(JSON.stringify(out) + '\n');
