// Which JSON keys name secrets, and bodies with their values redacted: what error excerpts quote and
// what the call log keeps. The rules are one function with nothing from outside its body
// (secretRedaction): the call log's writer thread, which runs without our modules, is given the
// same code by its source (store/sqlite/callWriter.ts) and checks the answers there.

/** The redaction rules, made anew (a thread makes its own; the memo of verdicts is per instance). */
export function secretRedaction() {
  // Words of a key that mark its value as a secret: `password`, `apiKey`, `card_number`, `authToken`, `cvv`.
  const SECRET_WORD = /^(pass(word|wd|phrase|code)?|pwd|secrets?|tokens?|auth(orization|entication)?|(api)?keys?|cards?|pans?|cvv2?|cvc|pin)$/;
  const SECRET_PART = /password|passwd|secret|token|apikey|api_key|cvv|creditcard|cardnumber/;

  /** Verdicts on keys seen, since answers repeat the same keys (the call log redacts every body); bounded. */
  const secretKeyMemo = new Map<string, boolean>();
  const SECRET_KEY_MEMO_SIZE = 4096;

  /** True when a JSON key names something secret-like, whose value an error never quotes. */
  function isSecretKey(key: string): boolean {
    let verdict = secretKeyMemo.get(key);
    if (verdict !== undefined) return verdict;
    const k = key.toLowerCase();
    verdict = SECRET_PART.test(k) || key.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).some((w) => SECRET_WORD.test(w.toLowerCase()));
    if (key.length <= 64) {
      if (secretKeyMemo.size >= SECRET_KEY_MEMO_SIZE) secretKeyMemo.clear();
      secretKeyMemo.set(key, verdict);
    }
    return verdict;
  }

  const REDACTED = '[redacted]';
  const FULL = Symbol('excerpt full');

  /**
   * At most `max` characters of `value` as JSON, the values of secret-like keys replaced by
   * "[redacted]". Stops walking once the excerpt is full, so its cost is bounded by `max`, not by the value.
   */
  function redactedExcerpt(value: unknown, max: number): string {
    let out = '';
    const emit = (s: string) => {
      out += s;
      if (out.length > max) throw FULL;
    };
    const walk = (v: unknown): void => {
      if (typeof v === 'string') return emit(JSON.stringify(v.length > max ? v.slice(0, max) : v));
      if (v === null || typeof v !== 'object') return emit(JSON.stringify(v) ?? 'null');
      if (Array.isArray(v)) {
        emit('[');
        for (let i = 0; i < v.length; i++) {
          if (i) emit(',');
          walk(v[i]);
        }
        return emit(']');
      }
      emit('{');
      let first = true;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (!first) emit(',');
        first = false;
        emit(`${JSON.stringify(k)}:`);
        if (isSecretKey(k)) emit(JSON.stringify(REDACTED));
        else walk((v as Record<string, unknown>)[k]);
      }
      emit('}');
    };
    try {
      walk(value);
      return out;
    } catch (e) {
      if (e !== FULL) throw e;
      return `${out.slice(0, max)}…`;
    }
  }

  /**
   * What any spelling of a secret-like key holds in lower case: each word SECRET_WORD takes and each
   * part SECRET_PART takes contains one of these. A JSON text whose lower case holds none, in keys or
   * values, has no secret-like key (a key's lower case is part of its text's: only a final sigma
   * lower-cases by context).
   */
  const SECRET_HINT = /pass|pwd|secret|token|auth|key|card|pan|cv[vc]|pin/;

  /**
   * For plain JSON values, the same text as `redactedExcerpt(value, max)`, cheaper for the usual body
   * (the call log writes one per call):
   * - with `json` (JSON.stringify(value), when the caller already wrote it: the product API's answer)
   *   in which nothing could spell a secret-like key, that text, cut to `max`: what the product got
   *   (its lower case and one regular-expression scan: B2's order ~0.8 µs against the walk's ~3);
   * - else, when a walk over the keys finds none secret-like, only plain JSON values, and no more
   *   than about `max` characters, the native JSON.stringify writes it;
   * - anything else (a secret key, a Date, an undefined property, a large value) takes
   *   redactedExcerpt's walk, whose cost is bounded by `max`; so is this check's.
   */
  function redactedJson(value: unknown, max: number, json?: string): string {
    // Only what the cut keeps is scanned: a key past it is not in the text the log keeps either.
    if (json !== undefined && !mayHoldSecret(json.length > max ? json.slice(0, max) : json)) return cut(json, max);
    if (plainAndClean(value, max)) return cut(json ?? JSON.stringify(value), max);
    return redactedExcerpt(value, max);
  }

  /**
   * redactedJson() of the value whose JSON text is `json`, without the value: the text is parsed
   * again only when it may hold a secret-like key (a value read from JSON is plain, so its walk and
   * the original's agree).
   */
  function redactedJsonText(json: string, max: number): string {
    return mayHoldSecret(json.length > max ? json.slice(0, max) : json) ? redactedJson(JSON.parse(json), max, json) : cut(json, max);
  }

  function cut(text: string, max: number): string {
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }

  /** @internal Whether a JSON text could spell a secret-like key (false: it cannot). */
  function mayHoldSecret(text: string): boolean {
    return SECRET_HINT.test(text.toLowerCase());
  }

  /**
   * True when `value` is plain JSON (objects with Object's prototype or none, arrays, strings, numbers,
   * booleans, null), has no secret-like key at any depth, and its JSON is at least not longer than
   * `max` by a lower bound (so JSON.stringify's work stays within a few times `max`).
   */
  function plainAndClean(value: unknown, max: number): boolean {
    return cleanBudget(value, max) >= 0;
  }

  /** `budget` less a lower bound of `v`'s JSON length; -1 once over, or when `v` is not plain or holds a secret-like key. */
  function cleanBudget(v: unknown, budget: number): number {
    switch (typeof v) {
      case 'string': return budget - v.length - 2;
      case 'number': return budget - 1;
      case 'boolean': return budget - 4;
      case 'object': break;
      default: return -1; // undefined, bigint, function, symbol: JSON.stringify and the walk differ
    }
    if (v === null) return budget - 4;
    if (Array.isArray(v)) {
      budget -= 1 + v.length;
      for (let i = 0; i < v.length && budget >= 0; i++) budget = v[i] === undefined ? -1 : cleanBudget(v[i], budget);
      return budget;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return -1;
    const keys = Object.keys(v);
    budget -= 2;
    for (let i = 0; i < keys.length && budget >= 0; i++) {
      const k = keys[i]!;
      const x = (v as Record<string, unknown>)[k];
      budget = isSecretKey(k) || x === undefined ? -1 : cleanBudget(x, budget - k.length - 4);
    }
    return budget;
  }

  return { isSecretKey, redactedExcerpt, redactedJson, redactedJsonText, mayHoldSecret, REDACTED };
}

export type SecretRedaction = ReturnType<typeof secretRedaction>;

export const { isSecretKey, redactedExcerpt, redactedJson, redactedJsonText, mayHoldSecret, REDACTED } = secretRedaction();
