// The load generator: raw Engine.IO 4 / Socket.IO 5 text frames over a minimal WebSocket
// client written on node:net, lean enough that the benchmark measures the server, not itself.
//
//   node bench/load.mjs acks --url 'ws://127.0.0.1:8000/socket.io/?EIO=4&transport=websocket' \
//        --clients 100 --seconds 3 --warmup 1
//
// Run by bench/run.py in a process of its own, pinned to a core of its own. Prints progress
// lines ({"phase": "connected" | "measure" | "end"}) and, last, one JSON object with the
// scenario's numbers and `generator_cpu`: the CPU this process used in the measured window, as
// a fraction of one core (process.cpuUsage(): all its threads, user and system; the split is in
// `generator_cpu_user` and `generator_cpu_system`). With --pause, waits for a line on stdin
// after "connected" (run.py reads the server's memory then). Scenarios:
//
//   acks         each client: emit "echo" with an ack, wait for the ack, again (closed loop)
//   echo         the same over a bare WebSocket: send a text frame, wait for it to come back
//   fanout       one client's "broadcast" reaching --clients receivers, --rounds times
//   connections  full handshakes (WebSocket, Engine.IO open, Socket.IO CONNECT), 20 at once
//   idle         hold --clients idle connections for --seconds
//   held         each client one event with an ack per second; lost acks are counted
//   serve-echo   not a load: a WebSocket echo server in this same code, on --port, printing
//                {"port": N}; run.py drives it with "echo" to measure the generator's capacity

import crypto from "node:crypto";
import net from "node:net";
import { performance } from "node:perf_hooks";
import readline from "node:readline";

const ITEM = { id: 7, room: "lobby", text: "hello, everyone in the room", sent: 0.5 };
const EVENT_JSON = JSON.stringify(["echo", ITEM]); // what every request carries
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const now = () => performance.now(); // ms

// ---------------------------------------------------------------- WebSocket (RFC 6455)

let maskPool = Buffer.alloc(0);
let maskAt = 0;

// A frame of `length` payload bytes, its payload left to the caller at the returned offset.
// Clients mask (a fresh key from a random pool for every frame), servers do not.
function frameHead(opcode, length, masked) {
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + extra + (masked ? 4 : 0) + length);
  out[0] = 0x80 | opcode;
  const bit = masked ? 0x80 : 0;
  let at = 2;
  if (extra === 0) {
    out[1] = bit | length;
  } else if (extra === 2) {
    out[1] = bit | 126;
    out.writeUInt16BE(length, 2);
    at = 4;
  } else {
    out[1] = bit | 127;
    out.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    out.writeUInt32BE(length >>> 0, 6);
    at = 10;
  }
  if (masked) {
    if (maskAt + 4 > maskPool.length) {
      maskPool = crypto.randomBytes(4096);
      maskAt = 0;
    }
    maskPool.copy(out, at, maskAt, maskAt + 4);
    maskAt += 4;
    at += 4;
  }
  return { out, at };
}

// XOR `length` bytes of `buffer` from `at` with the 4-byte key before them (masks or unmasks).
function applyMask(buffer, at, length, key = at - 4) {
  const m0 = buffer[key], m1 = buffer[key + 1], m2 = buffer[key + 2], m3 = buffer[key + 3];
  let i = 0;
  for (; i + 3 < length; i += 4) {
    buffer[at + i] ^= m0;
    buffer[at + i + 1] ^= m1;
    buffer[at + i + 2] ^= m2;
    buffer[at + i + 3] ^= m3;
  }
  for (; i < length; i++) buffer[at + i] ^= buffer[key + (i & 3)];
}

function textFrame(text, masked) {
  const length = Buffer.byteLength(text);
  const { out, at } = frameHead(1, length, masked);
  out.write(text, at, length, "utf8");
  if (masked) applyMask(out, at, length);
  return out;
}

// A frame carrying `payload` as it is (control frames; the echo server's text frames).
function controlFrame(opcode, payload, masked) {
  const { out, at } = frameHead(opcode, payload.length, masked);
  payload.copy(out, at);
  if (masked) applyMask(out, at, payload.length);
  return out;
}

// Every socket reads into this one buffer (net's `onread`, which skips the stream machinery):
// each chunk is parsed at once, and what must outlive it is copied out.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

// One WebSocket connection, either end. onMessage(bytes) gets each text message's payload as a
// view into the read buffer, valid only until it returns.
class Connection {
  constructor(socket, { client }) {
    this.socket = socket;
    this.client = client; // a client masks what it sends; a server unmasks what it reads
    this.head = null; // the HTTP upgrade not yet complete
    this.upgrade = null; // called with the HTTP upgrade's lines, until the frames start
    this.pending = null; // bytes not yet parsed into a frame
    this.fragments = null;
    this.handler = null;
    this.inbox = []; // messages that came before anyone listened (with the upgrade's response)
    this.leaving = false; // a close of ours: nothing is waiting
    this.closing = false;
    this.closed = new Promise((resolve) => socket.once("close", resolve));
    socket.on("error", () => {});
    socket.setNoDelay(true);
  }

  read(chunk) {
    if (this.upgrade === null) {
      this.frames(chunk);
      return;
    }
    const head = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      this.head = Buffer.from(head);
      return;
    }
    const upgrade = this.upgrade;
    this.upgrade = this.head = null;
    if (upgrade(head.subarray(0, end).toString("latin1").split("\r\n")) && head.length > end + 4) {
      this.frames(head.subarray(end + 4));
    }
  }

  frames(chunk) {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buffer.length - at >= 2) {
      const first = buffer[at];
      const masked = buffer[at + 1] & 0x80;
      let length = buffer[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (buffer.length - at < 4) break;
        length = buffer.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (buffer.length - at < 10) break;
        length = buffer.readUInt32BE(at + 2) * 2 ** 32 + buffer.readUInt32BE(at + 6);
        start = at + 10;
      }
      if (masked) start += 4;
      if (buffer.length < start + length) break;
      if (masked) applyMask(buffer, start, length);
      this.frame(first & 0x80, first & 0x0f, buffer.subarray(start, start + length));
      at = start + length;
    }
    this.pending = at < buffer.length ? Buffer.from(buffer.subarray(at)) : null;
  }

  frame(fin, opcode, payload) {
    if (opcode === 1 || opcode === 0) {
      if (!fin || this.fragments) {
        (this.fragments ??= []).push(Buffer.from(payload));
        if (!fin) return;
        payload = Buffer.concat(this.fragments);
        this.fragments = null;
      }
      if (this.handler) this.handler(payload);
      else this.inbox.push(Buffer.from(payload));
    } else if (opcode === 9) {
      this.socket.write(controlFrame(10, payload, this.client));
    } else if (opcode === 8) {
      if (!this.closing) this.socket.write(controlFrame(8, payload.subarray(0, 2), this.client));
      this.closing = true;
      this.socket.end();
    }
  }

  set onMessage(handler) {
    this.handler = handler;
    while (handler && this.inbox.length) handler(this.inbox.shift());
  }

  send(text) {
    this.socket.write(textFrame(text, this.client));
  }

  async close() {
    this.leaving = true;
    if (!this.closing && !this.socket.destroyed) {
      this.closing = true;
      this.socket.write(controlFrame(8, Buffer.from([0x03, 0xe8]), this.client)); // 1000
    }
    const timer = setTimeout(() => this.socket.destroy(), 5000);
    await this.closed;
    clearTimeout(timer);
  }
}

function connect(url, timeoutMs = 30000) {
  const target = new URL(url);
  const key = crypto.randomBytes(16).toString("base64");
  const expected = crypto.createHash("sha1").update(key + GUID).digest("base64");
  return new Promise((resolve, reject) => {
    let connection = null;
    const socket = net.connect({
      host: target.hostname,
      port: Number(target.port) || 80,
      onread: { buffer: READ_BUFFER, callback: (n, buffer) => connection.read(buffer.subarray(0, n)) },
    });
    connection = new Connection(socket, { client: true });
    const fail = (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error("WebSocket handshake timed out")), timeoutMs);
    socket.once("error", fail);
    connection.closed.then(() => fail(new Error("closed during the WebSocket handshake")));
    connection.upgrade = (lines) => {
      socket.off("error", fail);
      clearTimeout(timer);
      const accept = lines.find((line) => /^sec-websocket-accept:/i.test(line));
      if (!/^HTTP\/1\.1 101/.test(lines[0]) || accept?.split(":")[1].trim() !== expected) {
        fail(new Error(`WebSocket upgrade refused: ${lines[0]}`));
        return false;
      }
      resolve(connection);
      return true;
    };
    socket.write(
      `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        `Sec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

// ---------------------------------------------------------------- clients

const unanswered = () => new Error("the server closed a connection with a request unanswered");

// A Socket.IO client on namespace "/". request(callback) emits "echo" with an ack and calls
// callback(error) once the ack is in. Packets are read as bytes: nothing is decoded that the
// measures do not need.
class SocketIOClient {
  constructor(ws) {
    this.ws = ws;
    this.nextId = 0;
    this.acks = new Map();
    this.onEvent = null;
    ws.onMessage = (bytes) => this.packet(bytes);
    ws.closed.then(() => {
      if (ws.leaving) return;
      for (const callback of this.acks.values()) callback(unanswered());
      this.acks.clear();
    });
  }

  static async connect(url) {
    const ws = await connect(url);
    const inbox = [];
    let waiting = null;
    ws.onMessage = (bytes) => {
      const text = bytes.toString("utf8");
      if (text === "2") ws.send("3");
      else if (waiting) waiting(text);
      else inbox.push(text);
    };
    const next = () =>
      inbox.length ? inbox.shift() : new Promise((resolve, reject) => {
        waiting = (text) => {
          waiting = null;
          resolve(text);
        };
        ws.closed.then(() => reject(new Error("closed during the Socket.IO handshake")));
      });
    const open = await next();
    if (open[0] !== "0") throw new Error(`expected an Engine.IO OPEN, got ${open}`);
    ws.send("40");
    const connected = await next();
    if (!connected.startsWith("40")) throw new Error(`expected a CONNECT, got ${connected}`);
    const client = new SocketIOClient(ws);
    for (const text of inbox) client.packet(Buffer.from(text)); // what came with the CONNECT
    return client;
  }

  packet(bytes) {
    if (bytes.length === 1 && bytes[0] === 0x32) {
      this.ws.send("3"); // Engine.IO PING, PONG
    } else if (bytes[0] === 0x34 && bytes[1] === 0x33) {
      let id = 0; // "43<id>[...]": an ACK
      for (let i = 2; bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) id = id * 10 + bytes[i] - 0x30;
      const callback = this.acks.get(id);
      if (callback) {
        this.acks.delete(id);
        callback(null);
      }
    } else if (bytes[0] === 0x34 && bytes[1] === 0x32 && this.onEvent) {
      this.onEvent(); // "42[...]": an EVENT
    }
  }

  request(callback) {
    const id = ++this.nextId;
    this.acks.set(id, callback);
    this.ws.send(`42${id}${EVENT_JSON}`);
    return id;
  }

  forget(id) {
    this.acks.delete(id);
  }

  emit(event, data) {
    this.ws.send(`42${JSON.stringify([event, data])}`);
  }

  close() {
    return this.ws.close();
  }
}

// A bare WebSocket client with the same request(): a text frame of the Socket.IO request's
// size, answered when a frame comes back.
class EchoClient {
  constructor(ws) {
    this.ws = ws;
    this.waiting = null;
    ws.onMessage = () => {
      const callback = this.waiting;
      this.waiting = null;
      if (callback) callback(null);
    };
    ws.closed.then(() => {
      if (!ws.leaving && this.waiting) this.waiting(unanswered());
    });
  }

  static async connect(url) {
    return new EchoClient(await connect(url));
  }

  request(callback) {
    this.waiting = callback;
    this.ws.send(`420${EVENT_JSON}`);
  }

  close() {
    return this.ws.close();
  }
}

// ---------------------------------------------------------------- measuring

function report(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

async function connectMany(Client, url, count, concurrency = 50) {
  const clients = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const index = next++;
      clients[index] = await Client.connect(url);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return clients;
}

function closeAll(clients) {
  return Promise.all(clients.map((client) => client.close()));
}

// p50 as Python's statistics.median, p99 as the sample at floor(n * 0.99).
function percentiles(samples, prefix = "") {
  if (!samples.length) return { [`${prefix}p50_ms`]: 0, [`${prefix}p99_ms`]: 0 };
  const ordered = Float64Array.from(samples).sort();
  const n = ordered.length;
  const median = n % 2 ? ordered[(n - 1) / 2] : (ordered[n / 2 - 1] + ordered[n / 2]) / 2;
  return {
    [`${prefix}p50_ms`]: median,
    [`${prefix}p99_ms`]: ordered[Math.min(n - 1, Math.floor(n * 0.99))],
  };
}

// The measured window: wall time and this process's CPU, as a fraction of one core.
class Window {
  constructor() {
    report({ phase: "measure" });
    this.started = now();
    this.cpu = process.cpuUsage();
  }

  end() {
    this.seconds = (now() - this.started) / 1000;
    report({ phase: "end" });
    return this;
  }
}

function cpuFields(window, cpu) {
  const core = (microseconds) => microseconds / 1e6 / window.seconds;
  return {
    generator_cpu: core(cpu.user + cpu.system),
    generator_cpu_user: core(cpu.user),
    generator_cpu_system: core(cpu.system),
  };
}

function ended(window) {
  const cpu = process.cpuUsage(window.cpu);
  window.end();
  return cpuFields(window, cpu);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pause(options) {
  if (!options.pause) return;
  const lines = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once("line", resolve));
  lines.close();
}

// Closed loop: every client sends its next request once the previous one is answered, from
// the warm-up into the window without a break; latencies are kept for the requests sent
// inside the window. Callbacks, not promises: the least work per round trip.
async function roundTrips(Client, options) {
  const clients = await connectMany(Client, options.url, options.clients);
  report({ phase: "connected", clients: clients.length });
  const latencies = [];
  let window = null;
  let cpu = null;
  const warmupEnd = now() + options.warmup * 1000;
  const stop = warmupEnd + options.seconds * 1000;
  await new Promise((resolve, reject) => {
    let running = clients.length;
    const run = (client) => {
      const started = now();
      if (started >= stop) {
        if (--running === 0) {
          window ??= new Window();
          cpu = process.cpuUsage(window.cpu);
          resolve();
        }
        return;
      }
      if (window === null && started >= warmupEnd) window = new Window();
      const inWindow = window !== null;
      client.request((error) => {
        if (error) return reject(error);
        if (inWindow) latencies.push(now() - started);
        run(client);
      });
    };
    window = options.warmup > 0 ? null : new Window();
    clients.forEach(run);
  });
  window.end();
  await closeAll(clients);
  return {
    acks_per_s: latencies.length / window.seconds,
    acks: latencies.length,
    ...percentiles(latencies),
    ...cpuFields(window, cpu),
  };
}

async function fanout(options) {
  // Receivers connect 20 at a time, as in "connections": their rate is reported too.
  const connecting = now();
  const receivers = await connectMany(SocketIOClient, options.url, options.clients, 20);
  const connectSeconds = (now() - connecting) / 1000;
  report({ phase: "connected", clients: receivers.length });
  await pause(options);
  const trigger = await SocketIOClient.connect(options.url);
  const broadcast = () =>
    new Promise((resolve, reject) => {
      let remaining = receivers.length;
      const timer = setTimeout(() => {
        reject(new Error(`broadcast: ${remaining} of ${receivers.length} deliveries missing`));
      }, 60000);
      const received = () => {
        if (--remaining === 0) {
          clearTimeout(timer);
          resolve(now() - started);
        }
      };
      for (const receiver of receivers) receiver.onEvent = received;
      const started = now();
      trigger.emit("broadcast", ITEM);
    });
  for (let round = 0; round < options.warmupRounds; round++) await broadcast();
  const window = new Window();
  const times = [];
  for (let round = 0; round < options.rounds; round++) times.push(await broadcast());
  const cpu = ended(window);
  await closeAll([...receivers, trigger]);
  const total = times.reduce((sum, time) => sum + time, 0) / 1000;
  return {
    deliveries_per_s: (receivers.length * times.length) / total,
    ...percentiles(times, "last_delivery_"),
    connections_per_s: receivers.length / connectSeconds,
    ...cpu,
  };
}

async function connections(options) {
  const window = new Window();
  const opened = await connectMany(SocketIOClient, options.url, options.clients, 20);
  const cpu = ended(window);
  await closeAll(opened);
  return { connections_per_s: opened.length / window.seconds, ...cpu };
}

async function idle(options) {
  const opened = await connectMany(SocketIOClient, options.url, options.clients);
  report({ ready: true });
  const window = new Window();
  if (options.pause) await pause(options);
  else await sleep(options.seconds * 1000);
  const cpu = ended(window);
  await closeAll(opened);
  return { held: opened.length, ...cpu };
}

async function held(options) {
  const clients = await connectMany(SocketIOClient, options.url, options.clients);
  report({ phase: "connected", clients: clients.length });
  const latencies = [];
  let lost = 0;
  const window = new Window();
  const loop = async (client, offset) => {
    await sleep(offset);
    const deadline = now() + options.seconds * 1000;
    while (now() < deadline) {
      const tick = now();
      let id;
      let timer;
      const answered = await new Promise((resolve, reject) => {
        id = client.request((error) => (error ? reject(error) : resolve(true)));
        timer = setTimeout(resolve, 10000, false);
      });
      clearTimeout(timer);
      if (answered) latencies.push(now() - tick);
      else {
        lost++;
        client.forget(id);
      }
      await sleep(Math.max(0, 1000 - (now() - tick)));
    }
  };
  await Promise.all(clients.map((client, index) => loop(client, (index / clients.length) * 1000)));
  const cpu = ended(window);
  await closeAll(clients);
  return { acks: latencies.length, lost_acks: lost, ...percentiles(latencies), ...cpu };
}

// A WebSocket echo server on the same framing code, for measuring the generator itself.
async function serveEcho(options) {
  const server = net.createServer((socket) => {
    const connection = new Connection(socket, { client: false });
    socket.on("data", (chunk) => connection.read(chunk));
    connection.upgrade = (lines) => {
      const key = lines.find((line) => /^sec-websocket-key:/i.test(line))?.split(":")[1].trim();
      const accept = crypto.createHash("sha1").update(key + GUID).digest("base64");
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
        `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      return true;
    };
    connection.onMessage = (bytes) => socket.write(controlFrame(1, bytes, false));
  });
  await new Promise((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  report({ port: server.address().port });
  await new Promise(() => {}); // until killed
}

// ---------------------------------------------------------------- command line

function parse(argv) {
  const options = {
    scenario: argv[0], url: null, clients: 1, seconds: 5, warmup: 1, rounds: 10,
    warmupRounds: 2, pause: false, port: 0,
  };
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (name === "pause") options.pause = true;
    else if (name in options) options[name] = name === "url" ? argv[++i] : Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!options.url && options.scenario !== "serve-echo") throw new Error("--url is required");
  return options;
}

const SCENARIOS = {
  acks: (options) => roundTrips(SocketIOClient, options),
  echo: (options) => roundTrips(EchoClient, options),
  fanout,
  connections,
  idle,
  held,
  "serve-echo": serveEcho,
};

const options = parse(process.argv.slice(2));
if (!(options.scenario in SCENARIOS)) {
  console.error(`scenario: one of ${Object.keys(SCENARIOS).join(", ")}`);
  process.exit(2);
}
if (options.scenario !== "serve-echo") {
  // A server that stops answering must not hang the benchmark.
  const limit = (options.warmup + options.seconds) * 1000 + 180000;
  setTimeout(() => {
    console.error(`${options.scenario}: no result after ${limit / 1000} s`);
    process.exit(3);
  }, limit).unref();
}
const result = await SCENARIOS[options.scenario](options);
report(result);
process.exit(0);
