// @ts-check
// The example chat's browser side: everything goes through the spec'd Socket.IO API.
// The socket calls are type-checked against the types generated from the spec
// (`manage.py asynction_export --format typescript -o client.ts` next to this file; the
// test_typed_clients tests run tsc on it), so a spec change that breaks the page fails.
/** @typedef {import("./client").ExampleChatSocket} ChatSocket */
/** @typedef {import("./client").AdminSocket} AdminSocket */
/** @typedef {import("./client").ChatMessage} ChatMessage */
/** @typedef {import("./client").ErrorReply} ErrorReply */
/** @typedef {ErrorReply["error"]["errors"][number]} ErrorDetail */
/** @typedef {any} Dom  A page element or DOM event: only the Socket.IO API is checked. */
(function () {
  "use strict";
  const $ = (/** @type {string} */ selector) => /** @type {Dom} */ (document.querySelector(selector));
  const script = /** @type {HTMLScriptElement} */ (document.currentScript);
  const socket = /** @type {ChatSocket} */ (io("/", { query: { client: "web" }, transports: ["websocket", "polling"] }));
  let room = "lobby";
  const typingUsers = new Set();

  /**
   * @param {any} reply an ack, or the server's error reply
   * @returns {reply is ErrorReply}
   */
  function showError(reply) {
    $("#error").textContent = reply && reply.error
      ? `${reply.error.type}: ${reply.error.message}` + (reply.error.errors || []).map((/** @type {ErrorDetail} */ e) => ` — ${e.pointer || "/"} ${e.message}`).join("")
      : "";
    return Boolean(reply && reply.error);
  }

  /** @param {ChatMessage} message */
  function addMessage(message) {
    if (message.room !== room) return;
    const item = document.createElement("li");
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = message.author;
    item.append(author, document.createTextNode(message.text));
    item.title = message.created;
    $("#messages").append(item);
    $("#messages").scrollTop = $("#messages").scrollHeight;
  }

  /** @param {string[]} rooms */
  function renderRooms(rooms) {
    const list = $("#rooms");
    list.replaceChildren();
    for (const name of rooms) {
      const item = document.createElement("li");
      item.textContent = "#" + name;
      item.classList.toggle("active", name === room);
      item.onclick = () => join(name);
      list.append(item);
    }
  }

  /** @param {string} name */
  function join(name) {
    socket.emit("join room", { room: name }, (reply) => {
      if (showError(reply)) return;
      room = reply.room;
      $("#room-name").textContent = room;
      $("#messages").replaceChildren();
      reply.history.forEach(addMessage);
      socket.emit("list rooms", (rooms) => renderRooms(Array.isArray(rooms) ? rooms : []));
    });
  }

  socket.on("connect", () => { $("#status").textContent = "connected"; join(room); });
  socket.on("disconnect", () => { $("#status").textContent = "disconnected"; });
  socket.on("connect_error", (err) => { $("#status").textContent = "refused: " + err.message; });
  socket.on("new message", addMessage);
  socket.on("typing", (event) => {
    if (event.room !== room) return;
    if (event.typing) typingUsers.add(event.user); else typingUsers.delete(event.user);
    $("#typing").textContent = typingUsers.size ? [...typingUsers].join(", ") + " typing…" : "";
  });
  socket.on("announcement", (event) => {
    const note = document.createElement("div");
    note.className = "announcement " + event.level;
    note.textContent = event.text;
    $("#announcements").append(note);
    setTimeout(() => note.remove(), 8000);
  });

  /** @type {any} */
  let typingTimer = null;
  $("#composer input").addEventListener("input", () => {
    if (!typingTimer) socket.emit("typing", room, true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { socket.emit("typing", room, false); typingTimer = null; }, 1500);
  });
  $("#composer").addEventListener("submit", (/** @type {Dom} */ event) => {
    event.preventDefault();
    const input = event.target.elements.text;
    socket.emit("send message", { room, text: input.value }, (reply) => {
      if (!showError(reply)) input.value = "";
    });
  });
  $("#new-room").addEventListener("submit", (/** @type {Dom} */ event) => {
    event.preventDefault();
    join(event.target.elements.room.value);
    event.target.reset();
  });

  if (script.dataset.staff === "1") {
    const admin = /** @type {AdminSocket} */ (io("/admin"));
    admin.on("presence", (event) => { $("#online").textContent = event.online; });
    $("#broadcast").addEventListener("submit", (/** @type {Dom} */ event) => {
      event.preventDefault();
      const form = event.target.elements;
      admin.emit("broadcast", { text: form.text.value, level: form.level.value }, (reply) => {
        if (!showError(reply)) event.target.reset();
      });
    });
  }
})();
