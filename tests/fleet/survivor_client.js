// socket.io-client 4 on process A when A is killed with SIGKILL: it comes back to B with its
// pid and offset. Usage: node survivor_client.js <json {a, b}>; prints {"ready": sid} once
// connected and waits for a line on stdin (the test kills A meanwhile), then prints one JSON
// line with what it got back.
const path = require("path");
const readline = require("readline");
const { io } = require(path.resolve(__dirname, "..", "..", "node_modules", "socket.io-client"));

const options = JSON.parse(process.argv[2]);
const settings = { transports: ["websocket"], reconnection: false, forceNew: true };

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

function within(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function main() {
  const client = io(options.a, { ...settings, auth: { quiet: true } });
  const news = [];
  let arrived = () => {};
  client.on("news", (text) => { news.push(text); arrived(); });
  await within(once(client, "connect"), 10000, "connect to A");
  const sid = client.id;
  // acked: each handler has finished (and its change is written) when its ack arrives
  await client.emitWithAck("join", "room-1");
  await client.emitWithAck("remember", "kept");
  const dropped = once(client, "disconnect");
  process.stdout.write(`${JSON.stringify({ ready: sid })}\n`);
  await once(readline.createInterface({ input: process.stdin }), "line");  // A is dead now
  const reason = await within(dropped, 10000, "the drop of A");
  const other = io(options.b, settings);
  await within(once(other, "connect"), 10000, "connect to B");
  await other.emitWithAck("shout", { room: "room-1", text: "while away" });
  await other.emitWithAck("tell", { sid, text: "direct" });
  client.io.uri = options.b;  // back, to the process that is still up
  const back = once(client, "connect");
  client.connect();
  await within(back, 10000, "reconnect to B");
  const me = await client.emitWithAck("whoami");
  const until = (count) => new Promise((resolve) => {
    arrived = () => { if (news.length >= count) resolve(); };
    arrived();
  });
  other.emit("tell", { sid, text: "after" });
  await within(until(3), 10000, "the news");
  const result = { reason, recovered: client.recovered, sameId: client.id === sid,
                   rooms: me.rooms, data: me.data, news };
  client.disconnect();
  other.disconnect();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || String(error)}\n`);
  process.exit(1);
});
