// socket.io-client (the package the project ships) whose token expires on one process: it is
// told why, renews its token and comes back on another process with its session (connection
// state recovery). Usage: node renewing_client.js <json {a, b, transport, lifetime}>; prints
// one JSON line with what it saw.
const path = require("path");
const { io } = require(path.resolve(__dirname, "..", "..", "node_modules", "socket.io-client"));

const options = JSON.parse(process.argv[2]);
const settings = { transports: [options.transport], reconnection: false, forceNew: true };
const token = (seconds) => `-:${Date.now() / 1000 + seconds}`;  // tests/revocation/handlers.py

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

function within(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function main() {
  const socket = io(options.a, { ...settings, auth: { token: token(options.lifetime) } });
  const other = io(options.b, { ...settings, auth: { token: token(3600) } });
  const seen = [];
  const news = [];
  socket.on("news", (text) => news.push(text));
  socket.on("asynction:revoked", (notice) => seen.push(["asynction:revoked", notice]));
  socket.on("disconnect", (reason) => seen.push(["disconnect", reason]));
  await within(Promise.all([once(socket, "connect"), once(other, "connect")]), 5000, "connect");
  const sid = socket.id;
  await socket.emitWithAck("join", "room-1");
  await within(once(socket, "disconnect"), 10000, "the expiry");
  await other.emitWithAck("shout", { room: "room-1", text: "while away" });
  socket.auth = { token: token(3600) };  // renewed, as an app would from its refresh token
  socket.io.uri = options.b;  // and back on the other process
  const back = once(socket, "connect");
  socket.connect();
  await within(back, 5000, "reconnect");
  const me = await socket.emitWithAck("whoami");
  console.log(JSON.stringify({ seen, recovered: socket.recovered, sameId: socket.id === sid,
                               rooms: me.rooms, news }));
  socket.disconnect();
  other.disconnect();
}

main().then(() => process.exit(0), (error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
