// Runs graphql-http's GraphQL over HTTP audit against the URL given as the only argument and
// prints one JSON object per audit: {id, name, status, reason}. Used by tests/api/test_http_conformance.py.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
for (const r of results) {
  const reason = r.status === 'ok' ? null : r.reason;
  console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason }));
}
