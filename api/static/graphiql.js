// GraphiQL at /graphql (development only), from the vendored React and GraphiQL in ./vendor:
// nothing is loaded from another host, so it works offline under a strict Content-Security-Policy.
/* global React, ReactDOM, GraphiQL */

const WELCOME = `# thememap's GraphiQL: write a query here and run it with Ctrl-Enter.
#
# Every operation but introspection needs an API token: \`make run\` prints one for
# the demo study's owner (\`thememap user token NAME\` issues one). Open the Headers
# pane below and paste
#
#   {"Authorization": "Bearer tm_..."}
#
# then try
#
#   { projects { id name } }
`;

const parameters = new URLSearchParams(window.location.search);

function remember(name, value) {
  if (value) parameters.set(name, value);
  else parameters.delete(name);
  const search = parameters.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
}

const url = window.location.href.split("?")[0];
const subscriptionUrl = url.replace(/^http/, "ws");
const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });

function Ide() {
  return React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: WELCOME,
    query: parameters.get("q") || undefined,
    variables: parameters.get("variables") || undefined,
    onEditQuery: (query) => remember("q", query),
    onEditVariables: (variables) => remember("variables", variables),
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    inputValueDeprecation: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Ide));
