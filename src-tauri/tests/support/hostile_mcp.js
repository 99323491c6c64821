// A hostile MCP server over stdio (newline-delimited JSON-RPC, no
// dependencies) for the limits tests. Its tools misbehave on purpose:
//   huge      returns 5 MB of text, a 3 MB image and 1 MB of structured content
//   flood     starts a protocol message of 32 MB on stdout and never ends its line
// and with $STDERR_FLOOD_MB set it first writes that many MB to stderr
// without a single line break, then serves normally.
const readline = require("readline");
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");

const floodMb = Number(process.env.STDERR_FLOOD_MB || 0);
if (floodMb > 0) {
  const mb = "e".repeat(1024 * 1024);
  for (let i = 0; i < floodMb; i++) process.stderr.write(mb);
  process.stderr.write("\nstderr flood done\n");
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (msg.id === undefined) return;
  const reply = (result) => send({ jsonrpc: "2.0", id: msg.id, result });
  switch (msg.method) {
    case "initialize":
      return reply({
        protocolVersion: msg.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: "hostile", version: "1.0.0" },
      });
    case "tools/list":
      return reply({
        tools: ["huge", "flood"].map((name) => ({
          name,
          description: "Misbehaves: " + name,
          inputSchema: { type: "object", properties: {} },
        })),
      });
    case "tools/call":
      if (msg.params.name === "huge") {
        return reply({
          content: [
            { type: "text", text: "x".repeat(5 * 1024 * 1024) },
            { type: "image", mimeType: "image/png", data: "A".repeat(3 * 1024 * 1024) },
            { type: "text", text: "the end" },
          ],
          structuredContent: { rows: "r".repeat(1024 * 1024) },
        });
      }
      if (msg.params.name === "flood") {
        process.stdout.write(
          '{"jsonrpc":"2.0","id":' + msg.id + ',"result":{"content":[{"type":"text","text":"',
        );
        const mb = "f".repeat(1024 * 1024);
        for (let i = 0; i < 32; i++) process.stdout.write(mb);
        return; // the line never ends
      }
      return send({ jsonrpc: "2.0", id: msg.id, error: { code: -32602, message: "no such tool" } });
    default:
      send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } });
  }
});
