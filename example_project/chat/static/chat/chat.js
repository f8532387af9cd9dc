// @ts-check
// The example chat's browser side: everything goes through the spec'd Socket.IO API.
// The socket calls are type-checked against the types generated from the spec
// (`manage.py asynction_export --format typescript -o client.ts` next to this file;
// tests/clients/test_typescript.py runs tsc on it), so a spec change that breaks the page fails.
/** @typedef {import("./client").ExampleChatSocket} ChatSocket */
/** @typedef {import("./client").AdminSocket} AdminSocket */
/** @typedef {import("./client").ChatMessage} ChatMessage */
/** @typedef {import("./client").ErrorReply} ErrorReply */
/** @typedef {import("./client").PresenceDiff} PresenceDiff */
/** @typedef {ErrorReply["error"] & {retry_after?: number}} ServerError  RateLimited says when */
/** @typedef {ServerError["errors"][number]} ErrorDetail */
/** @typedef {Record<string, Record<string, {minLength?: number, maxLength?: number}>>} Limits */
/** @typedef {any} Dom  A page element or DOM event: only the Socket.IO API is checked. */
(function () {
  "use strict";
  const $ = (/** @type {string} */ selector) => /** @type {Dom} */ (document.querySelector(selector));
  const script = /** @type {HTMLScriptElement} */ (document.currentScript);
  const socket = /** @type {ChatSocket} */ (io("/", { query: { client: "web" }, transports: ["websocket", "polling"] }));
  /** @type {any} */ (window).chatSocket = socket; // for the browser console (and the tests)
  /** The spec's length limits of each event's fields (the view reads them from the spec). */
  const limits = /** @type {Limits} */ (JSON.parse($("#chat-limits").textContent));
  const me = $("#me").textContent;
  const textarea = $("#composer textarea");
  const send = $("#send"); // disabled while a RateLimited refusal says to wait

  const TYPING_REPEAT_MS = 2000; // while typing, "true" goes out at most this often
  const TYPING_IDLE_MS = 3000; // no keystroke for this long: "false"
  const TYPING_EXPIRES_MS = 5000; // someone's indicator without a repeat is dropped
  const GROUP_MS = 5 * 60 * 1000; // one author's lines closer than this share a heading

  let room = "lobby";
  let joined = ""; // the room this connection is in (none after a reconnect)
  let joining = ""; // the room a "join room" is on its way to, until its ack
  /** @type {{arrived: boolean, event: PresenceDiff}[]} that room's presence events before the ack */
  let early = [];
  /** @type {Set<string>} who is in the room: the join's ack, then presence's events */
  let members = new Set();
  /** @type {Map<string, ReturnType<typeof setTimeout>>} who is typing, until when */
  const typers = new Map();
  /** @type {{author: string, at: number} | null} */
  let lastLine = null;

  // Errors: the server's structured refusal, worded for people --------------------------

  const FIELDS = /** @type {Record<string, string>} */ ({ text: "Message", room: "Room name", level: "Level" });

  /**
   * A short sentence for one failed check. Never the check's own message: it quotes
   * the value, which may be the whole (long) message the user typed.
   * @param {ErrorDetail} detail
   * @param {string} event
   */
  function describeCheck(detail, event) {
    const field = detail.pointer.split("/")[1] || "";
    const label = event === "broadcast" && field === "text" ? "Announcement" : FIELDS[field] || "A field";
    const rule = (limits[event] || {})[field] || {};
    switch (detail.keyword) {
      case "maxLength":
        return rule.maxLength ? `${label} too long (max ${rule.maxLength} characters)` : `${label} too long`;
      case "minLength":
        return (rule.minLength || 1) <= 1 ? `${label} is empty` : `${label} too short (min ${rule.minLength} characters)`;
      case "pattern":
        return field === "room" ? "Room names are 1–32 lowercase letters, digits or dashes" : `${label} is not in the expected format`;
      case "required":
        return "Something required is missing";
      case "enum":
        return `${label} is not one of the choices`;
      default:
        return `${label} is not valid`;
    }
  }

  /**
   * @param {ServerError} error
   * @param {string} event
   */
  function describe(error, event) {
    switch (error.type) {
      case "PayloadValidationError":
      case "UnknownEventError":
        return error.errors.length ? describeCheck(error.errors[0], event) : "The server refused that";
      case "Unauthorized":
        return "Your session has ended: sign in again";
      case "Forbidden":
        return "You are not allowed to do that";
      case "HandlerTimeout":
        return "The server took too long to answer: try again";
      case "RateLimited":
        return `Slow down: try again in ${inWords(error.retry_after || 1)}`;
      default:
        return "Something went wrong on the server: try again";
    }
  }

  /** @param {number} seconds a wait, as people say it: rounded up to a second or a minute */
  function inWords(seconds) {
    return seconds < 60 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`;
  }

  /**
   * Show the refusal in `reply` (if it is one) under the form that sent `event`.
   * @param {any} reply an ack, or the server's error reply
   * @param {string} event
   * @param {string} [where] the element for the sentence
   * @returns {reply is ErrorReply}
   */
  function refused(reply, event, where = "#error") {
    const failed = Boolean(reply && reply.error);
    $(where).textContent = failed ? describe(reply.error, event) : "";
    return failed;
  }

  // Messages ------------------------------------------------------------------------------

  /** @param {string} name */
  function avatar(name, small = false) {
    const badge = document.createElement("span");
    badge.className = small ? "avatar small" : "avatar";
    badge.setAttribute("aria-hidden", "true");
    badge.textContent = name.slice(0, 1).toUpperCase();
    let hue = 0;
    for (const char of name) hue = (hue * 31 + char.charCodeAt(0)) % 360;
    badge.style.setProperty("--hue", String(hue));
    return badge;
  }

  /** @param {HTMLElement} item */
  function appendLine(item) {
    const list = $("#messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.querySelector(".empty")?.remove();
    list.append(item);
    if (atBottom || item.classList.contains("mine")) list.scrollTop = list.scrollHeight;
  }

  /** @param {ChatMessage} message */
  function addMessage(message) {
    if (message.room !== room) return;
    const at = Date.parse(message.created);
    const item = document.createElement("li");
    item.className = message.author === me ? "msg mine" : "msg";
    const body = document.createElement("div");
    body.className = "msg-body";
    if (lastLine && lastLine.author === message.author && at - lastLine.at < GROUP_MS) {
      item.classList.add("cont");
    } else {
      const meta = document.createElement("div");
      meta.className = "meta";
      const author = document.createElement("span");
      author.className = "author";
      author.textContent = message.author;
      const time = document.createElement("time");
      time.dateTime = message.created;
      time.textContent = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      meta.append(author, time);
      body.append(meta);
      item.append(avatar(message.author));
    }
    const text = document.createElement("p");
    text.className = "text";
    text.append(document.createTextNode(message.text));
    body.append(text);
    item.append(body);
    item.title = new Date(at).toLocaleString();
    lastLine = { author: message.author, at };
    appendLine(item);
    stoppedTyping(message.author);
  }

  /** @param {string} text */
  function addNotice(text, className = "notice") {
    const item = document.createElement("li");
    item.className = className;
    item.textContent = text;
    lastLine = null;
    appendLine(item);
  }

  // Rooms and people ---------------------------------------------------------------------

  /** @param {string[]} rooms */
  function renderRooms(rooms) {
    const list = $("#rooms");
    list.replaceChildren();
    for (const name of [...new Set([...rooms, room])].sort()) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "room";
      button.textContent = "#" + name;
      if (name === room) button.setAttribute("aria-current", "true");
      button.onclick = () => join(name);
      item.classList.toggle("active", name === room);
      item.append(button);
      list.append(item);
    }
  }

  function renderMembers() {
    const list = $("#members");
    list.replaceChildren();
    for (const name of [...members].sort()) {
      const item = document.createElement("li");
      item.dataset.user = name;
      item.classList.toggle("typing", typers.has(name));
      const label = document.createElement("span");
      label.className = "name";
      label.textContent = name;
      item.append(avatar(name, true), label);
      if (name === me) {
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = "you";
        item.append(you);
      }
      list.append(item);
    }
    $("#member-count").textContent = String(members.size);
  }

  /**
   * Someone arrived in or left a room (presence's events: a user's first tab in, last tab
   * out). Kept as a set of names, so an event that repeats what is known changes nothing.
   * @param {boolean} arrived
   * @param {PresenceDiff} event
   */
  function presenceChanged(arrived, event) {
    if (event.room === joining) {
      early.push({ arrived, event }); // applied once the join's ack has given the list
      return;
    }
    const name = event.member.info.username;
    if (event.room !== room || members.has(name) === arrived) return;
    if (arrived) {
      members.add(name);
    } else {
      members.delete(name);
      stoppedTyping(name);
    }
    renderMembers();
    if (name !== me) addNotice(`${name} ${arrived ? "joined" : "left"}`);
  }

  // Typing, both ways ----------------------------------------------------------------------

  function renderTyping() {
    const names = [...typers.keys()].sort();
    $("#typing").textContent =
      names.length === 0 ? "" :
      names.length === 1 ? `${names[0]} is typing…` :
      names.length === 2 ? `${names[0]} and ${names[1]} are typing…` :
      "Several people are typing…";
    for (const item of $("#members").children) item.classList.toggle("typing", typers.has(item.dataset.user));
  }

  /** @param {string} user */
  function stoppedTyping(user) {
    clearTimeout(typers.get(user));
    if (typers.delete(user)) renderTyping();
  }

  let typingSentAt = 0; // when "true" last went out; 0: the others think we are not typing
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typingIdle;

  function typed() {
    if (!textarea.value.trim()) return stopTyping();
    const now = Date.now();
    if (now - typingSentAt >= TYPING_REPEAT_MS && joined) {
      socket.emit("typing", joined, true);
      typingSentAt = now;
    }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingSentAt && joined) socket.emit("typing", joined, false);
    typingSentAt = 0;
  }

  // The room ----------------------------------------------------------------------------

  /** @param {string} name */
  function join(name) {
    if (name === joined) return;
    stopTyping();
    joining = name;
    early = [];
    socket.emit("join room", { room: name }, (reply) => {
      if (joining === name) joining = "";
      if (refused(reply, "join room", "#room-error")) return;
      room = joined = reply.room;
      $("#room-name").textContent = room;
      textarea.placeholder = `Message #${room}`;
      if (!send.disabled) $("#error").textContent = "";
      $("#messages").replaceChildren();
      lastLine = null;
      for (const timer of typers.values()) clearTimeout(timer);
      typers.clear();
      renderTyping();
      members = new Set(reply.members);
      renderMembers();
      if (reply.history.length) reply.history.forEach(addMessage);
      else addNotice(`No messages in #${room} yet. Say hello!`, "notice empty");
      // Events that overtook the ack: applied in order on top of its list, they make it exact.
      for (const { arrived, event } of early.splice(0)) presenceChanged(arrived, event);
      socket.emit("list rooms", (rooms) => renderRooms(Array.isArray(rooms) ? rooms : []));
    });
  }

  /** @param {string} state @param {string} text */
  function status(state, text) {
    $("#status").dataset.state = state;
    $("#status").textContent = text;
  }

  // Connection state recovery: back within two minutes, the server has put us in our room
  // again and sends what we missed, so nothing is reloaded (and nothing is lost).
  let left = "";
  socket.on("connect", () => {
    status("connected", "connected");
    if (socket.recovered && left) joined = left;
    else join(room);
  });
  socket.on("disconnect", () => {
    status("offline", "reconnecting…");
    left = joined;
    joined = "";
    typingSentAt = 0;
  });
  socket.on("connect_error", (err) => { status("offline", err.message === "Unauthorized" ? "signed out" : "offline"); });
  socket.on("new message", addMessage);
  socket.on("presence:join", (event) => presenceChanged(true, event));
  socket.on("presence:leave", (event) => presenceChanged(false, event));
  socket.on("typing", (event) => {
    if (event.room !== room || event.user === me) return;
    clearTimeout(typers.get(event.user));
    if (event.typing) {
      typers.set(event.user, setTimeout(() => stoppedTyping(event.user), TYPING_EXPIRES_MS));
      renderTyping();
    } else {
      stoppedTyping(event.user);
    }
  });
  socket.on("announcement", (event) => {
    const note = document.createElement("div");
    note.className = "announcement " + event.level;
    note.setAttribute("role", "status");
    note.textContent = event.text;
    $("#announcements").append(note);
    setTimeout(() => note.remove(), 8000);
  });

  // The composer ------------------------------------------------------------------------

  const maxLength = (limits["send message"] || {}).text?.maxLength;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resume;

  /**
   * After a RateLimited refusal the server would refuse any send for `retryAfter` seconds:
   * Send waits that long, rounded up to the second the sentence under the composer says,
   * then both go.
   * @param {number} retryAfter
   */
  function pause(retryAfter) {
    send.disabled = true;
    clearTimeout(resume);
    resume = setTimeout(() => {
      send.disabled = false;
      $("#error").textContent = "";
    }, Math.ceil(retryAfter) * 1000);
  }

  function composerChanged() {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 160) + "px";
    const length = textarea.value.length;
    const over = Boolean(maxLength && length > maxLength);
    const counter = $("#counter");
    counter.textContent = maxLength && length > maxLength * 0.8 ? `${length} / ${maxLength}` : "";
    counter.classList.toggle("over", over);
    if (!over) {
      if (!send.disabled) $("#error").textContent = "";
      textarea.removeAttribute("aria-invalid");
    }
  }

  textarea.addEventListener("input", () => { composerChanged(); typed(); });
  textarea.addEventListener("keydown", (/** @type {Dom} */ event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#composer").requestSubmit();
    }
  });
  $("#composer").addEventListener("submit", (/** @type {Dom} */ event) => {
    event.preventDefault();
    const text = textarea.value;
    if (!text.trim() || send.disabled) return;
    stopTyping();
    socket.emit("send message", { room, text }, (reply) => {
      if ("error" in reply) { // the text stays, to be fixed or sent again
        if (!send.disabled) refused(reply, "send message"); // else a pause's sentence stays
        const error = /** @type {ServerError} */ (reply.error);
        if (error.type === "RateLimited") pause(error.retry_after || 1);
        else textarea.setAttribute("aria-invalid", "true");
        return;
      }
      if (textarea.value === text) textarea.value = "";
      composerChanged(); // clears the error line, unless Send is paused
    });
  });
  $("#new-room").addEventListener("submit", (/** @type {Dom} */ event) => {
    event.preventDefault();
    $("#room-error").textContent = "";
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
        if (!refused(reply, "broadcast", "#broadcast-error")) event.target.reset();
      });
    });
  }
})();
