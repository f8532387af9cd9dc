// socket.io-client (the package the project ships) dropping and recovering a connection.
// Usage: node recovery_client.js <json options>; prints one JSON line with what happened.
// Options: servers (URLs; the client returns to each in turn, cycling), transport,
// rounds, quiet (no welcome: nothing is emitted to the client before its first drop).
const path = require("path");
const { io } = require(path.resolve(__dirname, "..", "node_modules", "socket.io-client"));

const options = JSON.parse(process.argv[2]);
const [first, ...others] = options.servers;
const settings = { transports: [options.transport], reconnection: false, forceNew: true };

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

function within(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function main() {
  const client = io(first, { ...settings, auth: { quiet: !!options.quiet } });
  const other = io(others[0] || first, settings);
  const news = [];
  client.on("news", (text) => news.push(text));
  await within(Promise.all([once(client, "connect"), once(other, "connect")]), 5000, "connect");
  const sid = client.id;
  client.emit("join", "room-1");
  await client.emitWithAck("whoami");
  const rounds = [];
  for (let round = 0; round < options.rounds; round++) {
    const before = news.length;
    const dropped = once(client, "disconnect");
    client.io.engine.close();  // the network goes: no DISCONNECT packet
    const reason = await within(dropped, 5000, "disconnect");
    // One at a time: python-socketio runs each event's handler in its own task, so
    // events sent together may be emitted in any order (the offsets keep that order).
    await other.emitWithAck("shout", { room: "room-1", text: `room ${round}` });
    await other.emitWithAck("tell", { sid, text: `direct ${round}` });
    await other.emitWithAck("announce", `all ${round}`);
    await other.emitWithAck("shout", { room: "room-2", text: `not yours ${round}` });
    const target = options.servers[(round + 1) % options.servers.length];
    client.io.uri = target;  // come back to another process, when there are several
    const back = once(client, "connect");
    client.connect();
    await within(back, 5000, "reconnect");
    other.emit("tell", { sid, text: `after ${round}` });
    const me = await client.emitWithAck("whoami");
    await new Promise((resolve) => setTimeout(resolve, 200));  // anything duplicated?
    rounds.push({ reason, recovered: client.recovered, sameId: client.id === sid,
                  rooms: me.rooms, serverRecovered: me.recovered, news: news.slice(before) });
  }
  client.disconnect();
  other.disconnect();
  console.log(JSON.stringify({ rounds }));
}

main().then(() => process.exit(0), (error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
