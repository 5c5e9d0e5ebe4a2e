// The page's only way to the server: GraphQL over HTTP, and subscriptions over
// the graphql-transport-ws protocol (the token goes in connection_init).

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.code = errors[0]?.extensions?.code;
    this.extensions = errors[0]?.extensions ?? {}; // e.g. a refused revert's `conflicts`
  }
}

export function connect(token) {
  async function request(query, variables = {}) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors?.length) throw new GraphQLError(body.errors);
    return body.data;
  }

  /** Subscribe: `started()` once the server has the subscription, `next(data)` for each
   * result, `end(reason)` once if it ends. Returns a function that unsubscribes. */
  function subscribe(query, variables, { started, next, end: onEnd }) {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
      "graphql-transport-ws");
    let ended = false;
    const end = (reason) => { if (!ended) { ended = true; onEnd(reason); } };
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { token } }));
    socket.onmessage = (message) => {
      const msg = JSON.parse(message.data);
      if (msg.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
        started();
      } else if (msg.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "next" && msg.payload.errors) {
        end(new GraphQLError(msg.payload.errors).message);
      } else if (msg.type === "next") {
        next(msg.payload.data);
      } else if (msg.type === "error") {
        end(new GraphQLError(msg.payload).message);
      } else if (msg.type === "complete") {
        end("the server ended the subscription");
      }
    };
    socket.onclose = (event) => end(event.reason || `connection closed (${event.code})`);
    return () => { ended = true; socket.close(); };
  }

  return { request, subscribe };
}
