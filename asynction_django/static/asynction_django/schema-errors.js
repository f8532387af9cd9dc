// Ajv's errors worded as the server words its own (README "Errors on the wire"): the value
// that failed as compact JSON, cut to 80 characters, then why, with the schema's limit
// ("aaaa…" is longer than 500 characters); "" points at the root (RFC 6901). Each error is
// {pointer, message, keyword}, as in the server's error ack.
// The vendored Ajv has no formats: `format` is left to the server, which checks it.
(function () {
  "use strict";
  const QUOTED = 80; // characters of the failing value a message quotes
  const SCHEMA_QUOTED = 60; // characters of a schema's part (a pattern, allowed values)
  const MAX_ERRORS = 10;
  const MAX_TEXT = 200;
  const MAX_PARTS_FOR_ALL_ERRORS = 2000; // a larger value: its first failure only
  const ARTICLES = { string: "a string", number: "a number", integer: "an integer",
    boolean: "a boolean", object: "an object", array: "an array", null: "null" };
  // The server reports these alone, not what failed inside them.
  const WRAPPERS = ["anyOf", "oneOf", "not", "contains"];
  const NOT_SCHEMAS = ["enum", "const", "default", "examples", "example"];

  function cut(text, limit) {
    const chars = Array.from(text);
    return chars.length <= limit ? text : chars.slice(0, limit - 1).join("") + "…";
  }

  function quote(value, limit) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch (error) { /* a cycle: not JSON */ }
    return cut(text === undefined ? String(value) : text, limit || QUOTED);
  }

  function counted(number, noun, plural) {
    return quote(number, SCHEMA_QUOTED) + " " + (number === 1 ? noun : plural || noun + "s");
  }

  function types(names) {
    const sorted = [].concat(names).sort();
    return sorted.filter(function (name) { return name !== "null"; })
      .concat(sorted.filter(function (name) { return name === "null"; }))
      .map(function (name) { return ARTICLES[name] || name; }).join(" or ");
  }

  function propertyList(names) {
    let text = "";
    for (const name of names) {
      text += (text ? ", " : "") + quote(name, SCHEMA_QUOTED);
      if (Array.from(text).length > QUOTED) break;
    }
    return cut(text, QUOTED);
  }

  // What follows the value in the message of one of Ajv's errors; null for a keyword the
  // server has no sentence for.
  function sentence(error) {
    const params = error.params || {};
    const limit = params.limit;
    switch (error.keyword) {
      case "type": return "is not " + types(params.type);
      case "format": return "is not a valid " + cut(String(params.format), SCHEMA_QUOTED);
      case "pattern": return 'does not match the pattern "' + cut(String(params.pattern), SCHEMA_QUOTED) + '"';
      case "minLength": return "is shorter than " + counted(limit, "character");
      case "maxLength": return "is longer than " + counted(limit, "character");
      case "minimum": return "is less than " + quote(limit);
      case "maximum": return "is more than " + quote(limit);
      case "exclusiveMinimum": return "is not more than " + quote(limit);
      case "exclusiveMaximum": return "is not less than " + quote(limit);
      case "multipleOf": return "is not a multiple of " + quote(params.multipleOf);
      case "enum": return "is not one of " + quote(params.allowedValues, SCHEMA_QUOTED);
      case "const": return "is not equal to " + quote(params.allowedValue, SCHEMA_QUOTED);
      case "minItems": return "has fewer than " + counted(limit, "item");
      case "maxItems": return "has more than " + counted(limit, "item");
      case "uniqueItems": return "has repeated items";
      case "unevaluatedItems": return "has items that are not allowed";
      case "minProperties": return "has fewer than " + counted(limit, "property", "properties");
      case "maxProperties": return "has more than " + counted(limit, "property", "properties");
      case "anyOf": return "matches none of the allowed schemas (anyOf)";
      case "oneOf": return params.passingSchemas
        ? "matches more than one of the schemas where exactly one is allowed (oneOf)"
        : "matches none of the allowed schemas (oneOf)";
      case "not": return "must not match " + quote(error.schema, SCHEMA_QUOTED);
      case "false schema": return "is not allowed here";
      case "minContains": return "has too few items matching contains (minContains)";
      case "maxContains": return "has too many items matching contains (maxContains)";
      case "contains": return "has no matching item (contains)";
    }
    return null;
  }

  function worded(error) {
    const text = sentence(error);
    return quote(error.data) + " " + (text === null ? error.message : text);
  }

  function detail(pointer, message, keyword) {
    return { pointer: cut(pointer, MAX_TEXT), message: cut(message, MAX_TEXT), keyword: keyword };
  }

  // Every schema object reachable from `schema`, following "#..." $refs within `root`.
  function reachable(schema, root) {
    const found = new Set();
    const pending = [schema];
    while (pending.length) {
      const node = pending.pop();
      if (!node || typeof node !== "object" || found.has(node)) continue;
      found.add(node);
      Object.keys(node).forEach(function (key) {
        if (NOT_SCHEMAS.includes(key)) return;
        if (key === "$ref" && typeof node[key] === "string") pending.push(resolve(root, node[key]));
        else pending.push(node[key]);
      });
    }
    return found;
  }

  function resolve(root, ref) {
    if (ref.charAt(0) !== "#") return null;
    return decodeURIComponent(ref.slice(1)).split("/").slice(1).reduce(function (node, token) {
      return node && typeof node === "object" ? node[token.replace(/~1/g, "/").replace(/~0/g, "~")] : null;
    }, root);
  }

  function within(pointer, parent) {
    return pointer === parent || pointer.startsWith(parent + "/");
  }

  // Whether `value` holds more than `limit` values, at any depth (counting stops there).
  function hasMoreParts(value, limit) {
    const pending = [value];
    let seen = 0;
    while (pending.length) {
      const node = pending.pop();
      if (++seen > limit) return true;
      if (node && typeof node === "object") {
        (Array.isArray(node) ? node : Object.values(node)).forEach(function (part) { pending.push(part); });
      }
    }
    return false;
  }

  // Ajv's errors (compiled with allErrors and verbose) for `value` against the schema
  // `root`, as the server would report them.
  function fromAjv(errors, root, value) {
    const kept = [];
    (errors || []).forEach(function (error) {
      if (error.keyword === "if" || error.keyword === "propertyNames") return; // reported inside
      let keyword = error.keyword;
      if (WRAPPERS.includes(keyword)) {
        // What failed inside comes right before it, from schemas reachable from its own.
        const inside = reachable(error.schema, root);
        const failedItems = new Set();
        while (kept.length) {
          const last = kept[kept.length - 1];
          if (!last.ajv || !inside.has(last.ajv.parentSchema) ||
              !within(last.ajv.instancePath, error.instancePath)) break;
          failedItems.add(last.ajv.instancePath.slice(error.instancePath.length).split("/")[1]);
          kept.pop();
        }
        if (keyword === "contains") {
          const matching = (Array.isArray(error.data) ? error.data.length : 0) - failedItems.size;
          const parent = error.parentSchema || {};
          if (typeof parent.maxContains === "number" && matching > parent.maxContains) keyword = "maxContains";
          else if (typeof parent.minContains === "number") keyword = "minContains";
        }
      }
      kept.push({ ajv: error, keyword: keyword });
    });
    const details = [];
    kept.forEach(function (entry, index) {
      const error = entry.ajv;
      const pointer = error.instancePath;
      const params = error.params || {};
      const previous = index > 0 ? kept[index - 1].ajv : null;
      if (error.propertyName !== undefined) {
        const text = sentence(error);
        details.push(detail(pointer, "property name " + quote(error.propertyName) + " " +
          (text === null ? error.message : text), "propertyNames"));
      } else if (error.keyword === "required" || error.keyword === "dependentRequired") {
        details.push(detail(pointer, quote(params.missingProperty, SCHEMA_QUOTED) +
          " is a required property", error.keyword));
      } else if (error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") {
        const name = params.additionalProperty !== undefined ? params.additionalProperty : params.unevaluatedProperty;
        const same = previous && previous.keyword === error.keyword &&
          previous.instancePath === pointer && previous.parentSchema === error.parentSchema;
        if (same) {
          details[details.length - 1].names.push(name);
        } else {
          const grouped = detail(pointer, "", error.keyword);
          grouped.names = [name];
          details.push(grouped);
        }
      } else if (error.keyword === "items" && typeof params.limit === "number" && Array.isArray(error.data)) {
        error.data.slice(params.limit).forEach(function (item, offset) {
          details.push(detail(pointer + "/" + (params.limit + offset), quote(item) + " is not allowed here", "items"));
        });
      } else if (error.keyword === "false schema") {
        // The server names the keyword that holds the false schema ("" at the root).
        const tokens = error.schemaPath.split("/").slice(1, -1).filter(function (token) {
          return !/^[0-9]+$/.test(token);
        });
        details.push(detail(pointer, worded(error), tokens.length ? tokens[tokens.length - 1] : ""));
      } else {
        details.push(detail(pointer, worded(Object.assign({}, error, { keyword: entry.keyword })),
          entry.keyword));
      }
    });
    const most = hasMoreParts(value, MAX_PARTS_FOR_ALL_ERRORS) ? 1 : MAX_ERRORS;
    return details.slice(0, most).map(function (found) {
      if (!found.names) return found;
      const one = found.names.length === 1;
      const text = "propert" + (one ? "y " : "ies ") + propertyList(found.names) + (one ? " is" : " are") + " not allowed";
      return detail(found.pointer, text, found.keyword);
    });
  }

  window.asynctionSchemaErrors = { fromAjv: fromAjv, quote: quote };
})();
