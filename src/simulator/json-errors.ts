// The message a real Immich puts in the 400 for a body that is not JSON.
// Immich runs on Node.js: Express's body parser hands the text to V8's
// JSON.parse and its message goes to the client verbatim, e.g.
// {"message":"Unexpected end of JSON input",...} (recorded on v2.7.5). The
// simulator runs on Bun, whose JavaScriptCore words its errors differently,
// so this scanner finds the first syntax error and words it as V8 (Node 20+)
// does. Node 24 may append " (line L column C)" to the positional messages;
// only the end-of-input case is recorded.

const CONTEXT = 10; // V8's kMaxContextCharacters
const SHORT = CONTEXT * 2 + 1; // below this length the whole text is quoted

class JsonSyntax extends Error {}

/** V8's message for JSON.parse(text), or undefined when the text parses. */
export function v8JsonParseError(text: string): string | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const fail = (message: string): never => {
    throw new JsonSyntax(message);
  };
  const end = (): never => fail("Unexpected end of JSON input");
  const at = (what: string): never => fail(`${what} in JSON at position ${i}`);
  const unexpected = (): never => {
    if (i >= text.length) end();
    const token = text[i] ?? "";
    let source: string;
    if (text.length < SHORT) source = `"${text}"`;
    else if (i < CONTEXT) source = `"${text.slice(0, i + CONTEXT)}"...`;
    else if (i >= text.length - CONTEXT) source = `..."${text.slice(i - CONTEXT)}"`;
    else source = `..."${text.slice(i - CONTEXT, i + CONTEXT)}"...`;
    return fail(`Unexpected token '${token}', ${source} is not valid JSON`);
  };

  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail(`Unterminated string in JSON at position ${i}`);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail(`Bad control character in string literal in JSON at position ${i}`);
      if (c === 0x5c) {
        i++;
        const e = text[i] ?? "";
        if (i >= text.length) end();
        if (e === "u") {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= text.length) end();
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) {
              i += k;
              at("Bad Unicode escape");
            }
          }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(e)) {
          at("Bad escaped character");
        }
      }
      i++;
    }
    i++;
  };
  const digits = () => {
    const start = i;
    while (i < text.length && /[0-9]/.test(text[i] ?? "")) i++;
    return i > start;
  };
  const number = () => {
    if (text[i] === "-") {
      i++;
      if (!/[0-9]/.test(text[i] ?? "")) at("No number after minus sign");
    }
    if (text[i] === "0") {
      i++;
      if (/[0-9]/.test(text[i] ?? "")) at("Unexpected number");
    } else digits();
    if (text[i] === ".") {
      i++;
      if (!digits()) at("Unterminated fractional number");
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!digits()) at("Exponent part is missing a number");
    }
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (i >= text.length) end();
      if (text[i] !== ch) unexpected();
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === undefined) end();
    else if (c === "{") object();
    else if (c === "[") array();
    else if (c === '"') string();
    else if (c === "-" || /[0-9]/.test(c)) number();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else unexpected();
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (let first = true; ; first = false) {
      ws();
      if (text[i] !== '"') at(first ? "Expected property name or '}'" : "Expected double-quoted property name");
      string();
      ws();
      if (text[i] !== ":") at("Expected ':' after property name");
      i++;
      value();
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      if (text[i] !== ",") at("Expected ',' or '}' after property value");
      i++;
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      if (text[i] !== ",") at("Expected ',' or ']' after array element");
      i++;
      ws();
      if (text[i] === "]") unexpected();
    }
  };

  try {
    value();
    ws();
    if (i < text.length) fail(`Unexpected non-whitespace character after JSON at position ${i}`);
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntax) return e.message;
    throw e;
  }
}
