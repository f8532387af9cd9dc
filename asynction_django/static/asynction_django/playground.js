// The playground: a real Socket.IO client (served by this project) talking to this server.
(function () {
  "use strict";
  const root = document.getElementById("pg");
  const dataNode = document.getElementById("asynction-playground");
  if (!root || !dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const log = document.getElementById("pg-log");
  const status = document.getElementById("pg-status");
  const connectForm = document.getElementById("pg-connect");
  const sendForm = document.getElementById("pg-send");
  const arityNote = document.getElementById("pg-arity");
  const formatsNote = document.getElementById("pg-formats");
  const snippet = document.getElementById("pg-snippet");
  const helpers = window.asynctionDocs || { highlight: function () {}, addCopyButton: function () {} };

  if (typeof window.io !== "function") {
    root.hidden = false;
    root.innerHTML = '<p class="notice">The Socket.IO client did not load: static files are ' +
      "not served. Under plain daphne with <code>DEBUG = False</code>, run " +
      "<code>collectstatic</code> and serve them (the README's Deployment section).</p>";
    return;
  }
  root.hidden = false;
  document.querySelectorAll("button.try").forEach(function (button) { button.hidden = false; });

  // Ajv checks payloads before sending, its errors worded as the server words them
  // (schema-errors.js). The vendored Ajv has no formats: those are the server's to check.
  const Ajv = window.ajv2020 && (window.ajv2020.default || window.ajv2020);
  const ajv = Ajv ? new Ajv({ strict: false, allErrors: true, validateFormats: false, verbose: true }) : null;
  const wording = window.asynctionSchemaErrors;
  const compiled = new Map();
  let socket = null;

  function entry(kind, label, value, hint) {
    const item = document.createElement("li");
    item.dataset.kind = kind;
    const time = document.createElement("time");
    time.textContent = new Date().toLocaleTimeString();
    const name = document.createElement("span");
    name.className = "kind";
    name.textContent = kind;
    item.append(time, name, document.createTextNode(label));
    if (hint) item.append(hint);
    if (value !== undefined) {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      code.className = "language-json";
      code.textContent = JSON.stringify(value, null, 2);
      pre.append(code);
      item.append(pre);
      helpers.highlight(code);
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function parseJson(text, what) {
    if (!text.trim()) return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(what + " is not JSON: " + error.message);
    }
  }

  function namespaceData() {
    return data.namespaces[connectForm.elements.namespace.value] || { events: {}, query: [] };
  }

  function fillEvents() {
    const select = sendForm.elements.event;
    const events = namespaceData().events;
    select.replaceChildren();
    Object.keys(events).forEach(function (name) {
      const option = document.createElement("option");
      option.value = option.textContent = name;
      select.append(option);
    });
    if (!connectForm.elements.query.value) {
      connectForm.elements.query.placeholder = namespaceData().query.map(function (name) {
        return name + "=…";
      }).join("&");
    }
    fillPayload();
  }

  function fillPayload() {
    const spec = namespaceData().events[sendForm.elements.event.value];
    const payload = sendForm.elements.payload;
    if (!spec) {
      payload.value = "";
      payload.disabled = true;
      arityNote.textContent = "(this namespace has no client → server events)";
      showFormats([]);
      return;
    }
    payload.disabled = spec.arity === "none";
    payload.value = spec.arity === "none" || !("example" in spec) ? "" : JSON.stringify(spec.example, null, 2);
    arityNote.textContent = {
      none: "(this event takes no arguments)",
      one: "(JSON: one argument)",
      tuple: "(JSON: a list, one item per argument)",
    }[spec.arity];
    showFormats(formatsOf(spec.schema));
  }

  function showFormats(formats) {
    if (!formatsNote) return;
    formatsNote.hidden = !formats.length;
    formatsNote.textContent = "This page does not check format (" + formats.join(", ") +
      "): formats are checked by the server, and its answer shows in the log.";
  }

  // The formats a schema uses (not in examples or allowed values, which are data).
  function formatsOf(schema) {
    const found = new Set();
    (function walk(node) {
      if (!node || typeof node !== "object") return;
      if (typeof node.format === "string") found.add(node.format);
      Object.keys(node).forEach(function (key) {
        if (!["enum", "const", "default", "examples", "example"].includes(key)) walk(node[key]);
      });
    })(schema);
    return Array.from(found).sort();
  }

  function argumentsOf(spec) {
    if (spec.arity === "none") return [];
    const value = parseJson(sendForm.elements.payload.value, "The payload");
    if (spec.arity === "tuple") {
      if (!Array.isArray(value)) throw new Error("This event takes several arguments: give a JSON list.");
      return value;
    }
    return [value];
  }

  function schemaErrors(event, spec, args) {
    if (!ajv || spec.arity === "none") return [];
    const key = connectForm.elements.namespace.value + "\u0000" + event;
    if (!compiled.has(key)) compiled.set(key, ajv.compile(spec.schema));
    const validate = compiled.get(key);
    const value = spec.arity === "tuple" ? args : args[0];
    if (validate(value)) return [];
    if (wording) return wording.fromAjv(validate.errors, spec.schema, value);
    return validate.errors.map(function (error) {
      return { pointer: error.instancePath, message: error.message, keyword: error.keyword };
    });
  }

  function setConnected(connected) {
    connectForm.elements.connect.disabled = connected;
    connectForm.elements.disconnect.disabled = !connected;
    sendForm.elements.send.disabled = !connected;
    // The handshake carried this page's session cookie: its user is the page's.
    const who = data.user ? "connected as " + data.user : "connected, not logged in";
    status.textContent = connected ? who + " · sid " + socket.id : "disconnected";
    status.classList.toggle("connected", connected);
  }

  function loginLink() {
    const link = document.createElement("a");
    link.href = data.loginUrl;
    link.className = "login";
    link.textContent = "Log in";
    return link;
  }

  // What the namespace's security asks for, from the spec's schemes: each alternative, and
  // for each scheme what to send and where (a session cookie: to log in).
  function securityHint(hint, alternatives) {
    const describe = function (scheme) {
      return scheme.needs + " (security scheme " + scheme.scheme + ")" + (scheme.send ? ": " + scheme.send : "");
    };
    hint.append("This namespace needs " + (alternatives.length > 1 ? "one of: " : "") +
      alternatives.map(function (schemes) { return schemes.map(describe).join("; and "); }).join(". Or ") + ".");
    const session = alternatives.some(function (schemes) {
      return schemes.some(function (scheme) { return scheme.session; });
    });
    if (session && !data.user && data.loginUrl) {
      hint.append(" You are not logged in. ", loginLink(), " and connect again as your user.");
    } else if (session && data.user) {
      hint.append(" You are logged in as " + data.user + ", and the server refused that session.");
    }
  }

  // Why a refusal happened, when the page can tell: what the namespace's security wants.
  function refusalHint(error, namespace) {
    if (error.message !== "Unauthorized") return null;
    const hint = document.createElement("span");
    hint.className = "hint";
    const section = document.querySelector('section.namespace[data-namespace="' + CSS.escape(namespace) + '"]');
    const alternatives = (data.namespaces[namespace] || {}).security || [];
    if (alternatives.length) {
      securityHint(hint, alternatives);
    } else if (!data.user && data.loginUrl) {
      hint.append("The namespace wants credentials and you are not logged in. ", loginLink(),
        " and connect again as your user.");
    } else {
      hint.append((data.user ? "Logged in as " + data.user + ", but the" : "The") +
        " namespace wants other credentials: give them in the query, headers or CONNECT auth.");
    }
    if (section) {
      const more = document.createElement("a");
      more.href = "#" + section.id;
      more.textContent = "its security";
      hint.append(" (See ", more, ".)");
    }
    return hint;
  }

  // The connection as a reader would write it with socket.io-client.
  function showSnippet() {
    const form = connectForm.elements;
    const lines = ["  path: " + JSON.stringify(data.socketioPath)];
    lines.push("  transports: [" + JSON.stringify(form.transport.value) + "]");
    const query = Object.fromEntries(new URLSearchParams(form.query.value));
    if (Object.keys(query).length) lines.push("  query: " + JSON.stringify(query));
    [["extraHeaders", form.headers.value], ["auth", form.auth.value]].forEach(function (pair) {
      if (pair[0] === "extraHeaders" && form.transport.value !== "polling") return;
      let value;
      try {
        value = pair[1].trim() ? JSON.parse(pair[1]) : {};
      } catch (error) {
        lines.push("  " + pair[0] + ": /* not JSON yet */");
        return;
      }
      if (value && (typeof value !== "object" || Object.keys(value).length)) {
        lines.push("  " + pair[0] + ": " + JSON.stringify(value));
      }
    });
    const url = window.location.origin + form.namespace.value;
    snippet.textContent = "io(" + JSON.stringify(url) + ", {\n" + lines.join(",\n") + ",\n})";
  }

  function connect() {
    const form = connectForm.elements;
    const namespace = form.namespace.value;
    const options = {
      path: data.socketioPath,
      transports: [form.transport.value],
      query: Object.fromEntries(new URLSearchParams(form.query.value)),
      extraHeaders: parseJson(form.headers.value, "Headers"),
      auth: parseJson(form.auth.value, "CONNECT auth"),
      reconnection: false,
      forceNew: true,
    };
    if (socket) socket.disconnect();
    socket = window.io(window.location.origin + namespace, options);
    status.textContent = "connecting…";
    socket.on("connect", function () {
      setConnected(true);
      entry("connected", " " + namespace + " (" + form.transport.value + ")");
    });
    socket.on("connect_error", function (error) {
      setConnected(false);
      entry("refused", " " + error.message, error.data, refusalHint(error, namespace));
    });
    socket.on("disconnect", function (reason) {
      setConnected(false);
      entry("disconnected", " " + reason);
    });
    socket.onAny(function (event) {
      const args = Array.prototype.slice.call(arguments, 1);
      entry("event", " " + event, args.length === 1 ? args[0] : args);
    });
  }

  function send() {
    const event = sendForm.elements.event.value;
    const spec = namespaceData().events[event];
    const args = argumentsOf(spec);
    if (sendForm.elements.check.checked) {
      const errors = schemaErrors(event, spec, args);
      if (errors.length) {
        entry("invalid", " " + event + " not sent: it does not match its schema", errors);
        return;
      }
    }
    entry("sent", " " + event, args.length === 1 ? args[0] : args);
    // Always with an ack, declared or not: a refusal is an error ack, never silence.
    const timed = socket.timeout(10000);
    timed.emit.apply(timed, [event].concat(args, [function (timeout) {
      const reply = Array.prototype.slice.call(arguments, 1);
      if (timeout) {
        entry("error", " " + event + ": no answer within 10 s");
        return;
      }
      const value = reply.length === 1 ? reply[0] : reply;
      const failed = value && typeof value === "object" && value.error && value.error.type;
      if (failed) entry("error", " " + event, value);
      else if (!reply.length) entry("ack", " " + event + ": accepted, the ack carries no value");
      else entry("ack", " " + event, value);
    }]));
  }

  function guarded(action) {
    return function (domEvent) {
      domEvent.preventDefault();
      try {
        action();
      } catch (error) {
        entry("invalid", " " + error.message);
      }
    };
  }

  connectForm.addEventListener("submit", guarded(connect));
  connectForm.elements.disconnect.addEventListener("click", function () { if (socket) socket.disconnect(); });
  connectForm.elements.namespace.addEventListener("change", fillEvents);
  connectForm.addEventListener("input", showSnippet);
  connectForm.addEventListener("change", showSnippet);
  sendForm.addEventListener("submit", guarded(send));
  sendForm.elements.event.addEventListener("change", fillPayload);
  sendForm.elements.clear.addEventListener("click", function () { log.replaceChildren(); });
  document.querySelectorAll("button.try").forEach(function (button) {
    button.addEventListener("click", function () {
      connectForm.elements.namespace.value = button.dataset.namespace;
      fillEvents();
      sendForm.elements.event.value = button.dataset.event;
      fillPayload();
      showSnippet();
      document.getElementById("playground").scrollIntoView();
    });
  });
  fillEvents();
  showSnippet();
})();
