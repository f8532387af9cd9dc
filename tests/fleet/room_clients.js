// Clients of socket.io-client 4 that join rooms through a balancer and count what each room
// sends them, through rolling restarts (reconnection and recovery on, as a browser has them).
// Usage: node room_clients.js <json {url, clients, rooms, expected, pollingEvery}>; every
// pollingEvery-th client is polling-only (0: none). Prints {"ready": n}
// once every client has joined, then waits for a line on stdin ("done": the publisher has
// finished), waits until every client has its room's `expected` events (or 30 s), and prints
// one JSON line per client: its room, what it received (and when, in ms since the epoch),
// its reconnections and recoveries, and what went wrong on the way.
const path = require("path");
const readline = require("readline");
const { io } = require(path.resolve(__dirname, "..", "..", "node_modules", "socket.io-client"));

const options = JSON.parse(process.argv[2]);

async function one(index) {
  const room = `room-${index % options.rooms}`;
  const polling = options.pollingEvery > 0 && index % options.pollingEvery === 0;
  const client = io(options.url, { forceNew: true, auth: { quiet: true },
                                   reconnectionDelay: 100, reconnectionDelayMax: 1000,
                                   ...(polling ? { transports: ["polling"] } : {}) });
  const state = { room, polling, news: [], at: [], reconnects: 0, recovered: 0, errors: [] };
  client.on("news", (text) => { state.news.push(text); state.at.push(Date.now()); });
  client.on("connect", () => { if (client.recovered) state.recovered += 1; });
  client.io.on("reconnect", () => { state.reconnects += 1; });
  client.on("connect_error", (error) => state.errors.push(error.message));
  for (;;) {  // joined once acked; a connection lost meanwhile reconnects, and joins again
    if (!client.connected) await new Promise((resolve) => client.once("connect", resolve));
    try {
      await client.timeout(20000).emitWithAck("join", room);
      break;
    } catch (error) {
      state.errors.push(`join: ${error.message}`);
    }
  }
  state.client = client;
  return state;
}

async function main() {
  const states = await Promise.all(Array.from({ length: options.clients }, (_, i) => one(i)));
  process.stdout.write(`${JSON.stringify({ ready: states.length })}\n`);
  await new Promise((resolve) => readline.createInterface({ input: process.stdin })
    .once("line", resolve));
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline && states.some((s) => s.news.length < options.expected)) {
    await new Promise((resolve) => setTimeout(resolve, 50));  // paces the asking only
  }
  for (const state of states) {
    state.client.disconnect();
    delete state.client;
  }
  process.stdout.write(`${JSON.stringify(states)}\n`, () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
