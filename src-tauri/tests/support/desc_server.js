// A minimal MCP server over stdio (newline-delimited JSON-RPC, no
// dependencies) with one tool, "echo", whose description is taken from
// $TOOL_DESCRIPTION: restarting it with another value is a tool that changed.
const readline = require("readline");
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (msg.id === undefined) return; // notifications
  const reply = (result) => send({ jsonrpc: "2.0", id: msg.id, result });
  switch (msg.method) {
    case "initialize":
      return reply({
        protocolVersion: msg.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: "desc-server", version: "1.0.0" },
      });
    case "ping":
      return reply({});
    case "tools/list":
      return reply({
        tools: [
          {
            name: "echo",
            description: process.env.TOOL_DESCRIPTION || "Echoes the message.",
            inputSchema: {
              type: "object",
              properties: { message: { type: "string" } },
              required: ["message"],
            },
          },
        ],
      });
    case "tools/call":
      return reply({
        content: [{ type: "text", text: "desc-server: " + msg.params.arguments.message }],
      });
    default:
      send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } });
  }
});
