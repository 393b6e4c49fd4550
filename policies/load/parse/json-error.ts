/**
 * Where JSON.parse failed. Node 20's V8 often says only "Unexpected token 'x'" without a position, and
 * YAML parsers accept much that JSON does not, so this small validator finds the offset of the first error.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Offset of the first character that makes `text` invalid JSON, or undefined when it is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  // Explicit stack of open containers: '{' or '[' (deep input must not overflow the call stack).
  const stack: string[] = [];
  const value = (): boolean => {
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      return true;
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  // State machine: after opening '{' expect key or '}', after '[' expect value or ']'.
  if (!value()) return i;
  let justOpened = stack.length > 0;
  for (;;) {
    skip();
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? i : undefined;
    if (justOpened) {
      justOpened = false;
      if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
        stack.pop();
        i++;
        continue;
      }
    } else {
      const c = text[i];
      if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
        stack.pop();
        i++;
        continue;
      }
      if (c !== ',') return i;
      i++;
      skip();
    }
    if (top === '{') {
      if (!string()) return i;
      skip();
      if (text[i] !== ':') return i;
      i++;
    }
    const before = stack.length;
    if (!value()) return i;
    justOpened = stack.length > before;
  }
}
