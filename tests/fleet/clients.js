// Many socket.io-client 4 clients through one URL (a balancer, or several workers on one
// port), each making acked calls. Usage: node clients.js <json options>; prints one JSON
// line: what each client saw. Options: url, clients, pollingEvery (every Nth client is
// polling-only; the others use the defaults: polling, then the WebSocket upgrade), calls.
const path = require("path");
const { io } = require(path.resolve(__dirname, "..", "..", "node_modules", "socket.io-client"));

const options = JSON.parse(process.argv[2]);

function within(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function one(index) {
  const polling = index % options.pollingEvery === 0;
  const settings = { reconnection: false, forceNew: true };
  if (polling) settings.transports = ["polling"];
  const client = io(options.url, settings);
  const errors = [];
  client.on("connect_error", (error) => errors.push(`connect_error: ${error.message}`));
  client.on("disconnect", (reason) => errors.push(`disconnect: ${reason}`));
  try {
    await within(new Promise((resolve) => client.once("connect", resolve)), 15000, "connect");
    for (let call = 0; call < options.calls; call += 1) {
      const text = `${index}-${call}`;
      const answer = await within(client.emitWithAck("echo", { text }), 15000, "ack");
      if (answer !== text) errors.push(`ack ${JSON.stringify(answer)} for ${text}`);
      // pause a little so that the upgrade to WebSocket can happen between calls
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const engine = client.io.engine;
    if (!polling && engine.transport.name !== "websocket") {  // the upgrade is under way
      await within(new Promise((resolve, reject) => {
        engine.once("upgrade", resolve);
        engine.once("upgradeError", reject);
      }), 10000, "the upgrade to WebSocket");
    }
    return { polling, transport: engine.transport.name, errors };
  } catch (error) {
    return { polling, transport: null, errors: [...errors, String(error)] };
  } finally {
    client.off("disconnect");
    client.disconnect();
  }
}

async function main() {
  const results = await Promise.all(Array.from({ length: options.clients }, (_, i) => one(i)));
  // exit now: a polling client's last request may keep Node's event loop alive for a while
  process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
