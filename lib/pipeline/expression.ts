/**
 * The feature expression language: arithmetic over columns, e.g. `feature_1 * feature_2`.
 * One parser, two back ends: SQL for DuckDB at training time and a JS evaluator for the
 * serving runtime, so an endpoint computes exactly the feature the model was trained on.
 * Missing values propagate (null in, null out); division by zero yields null.
 */
import { UserError } from "../errors";

export type Expr =
  | { kind: "num"; value: number }
  | { kind: "col"; name: string }
  | { kind: "neg"; arg: Expr }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; left: Expr; right: Expr }
  | { kind: "call"; fn: FnName; args: Expr[] };

const functions = {
  abs: { arity: 1, sql: "abs", js: Math.abs },
  sqrt: { arity: 1, sql: "sqrt", js: Math.sqrt },
  log: { arity: 1, sql: "ln", js: Math.log },
  exp: { arity: 1, sql: "exp", js: Math.exp },
  // Half away from zero, as SQL rounds (Math.round rounds -2.5 to -2).
  round: { arity: 1, sql: "round", js: (x: number) => Math.sign(x) * Math.round(Math.abs(x)) },
  min: { arity: 2, sql: "least", js: Math.min },
  max: { arity: 2, sql: "greatest", js: Math.max },
} as const;
type FnName = keyof typeof functions;

export class ExpressionError extends UserError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message, { position });
  }
}

type Token = { t: "num"; v: number; p: number } | { t: "id"; v: string; p: number } | { t: "op"; v: string; p: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch)) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new ExpressionError(`unexpected '${ch}' at position ${i + 1}`, i);
      const v = Number(m[0]);
      // Training (DuckDB) refuses an infinite constant, serving would compute with it: refuse it here.
      if (!Number.isFinite(v)) throw new ExpressionError(`the number ${m[0]} at position ${i + 1} is out of range`, i);
      out.push({ t: "num", v, p: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: "id", v: m[0], p: i });
      i += m[0].length;
    } else if (ch === "`" || ch === '"') {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) throw new ExpressionError(`unclosed ${ch} starting at position ${i + 1}`, i);
      out.push({ t: "id", v: src.slice(i + 1, end), p: i });
      i = end + 1;
    } else if ("+-*/^(),".includes(ch)) {
      out.push({ t: "op", v: ch, p: i });
      i++;
    } else {
      throw new ExpressionError(`unexpected '${ch}' at position ${i + 1}`, i);
    }
  }
  return out;
}

/** Longest expression, and deepest nesting of parentheses, calls and operators, the engines accept. */
const MAX_EXPRESSION_LENGTH = 2000;
const MAX_EXPRESSION_DEPTH = 256;

/** Parses an expression; throws ExpressionError with a 0-based position. */
export function parseExpression(src: string): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const at = () => peek()?.p ?? src.length;
  const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
  const expectOp = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}' at position ${at() + 1}`, at());
    pos++;
  };

  const expr = (): Expr => {
    let left = term();
    while (isOp("+") || isOp("-")) {
      const op = toks[pos++]!.v as "+" | "-";
      left = { kind: "bin", op, left, right: term() };
    }
    return left;
  };
  const term = (): Expr => {
    let left = unary();
    while (isOp("*") || isOp("/")) {
      const op = toks[pos++]!.v as "*" | "/";
      left = { kind: "bin", op, left, right: unary() };
    }
    return left;
  };
  let nesting = 0;
  const unary = (): Expr => {
    // Each level of parentheses, calls and unary signs recurses: bound it before the stack does.
    if (++nesting > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, at());
    try {
      return unaryInner();
    } finally {
      nesting--;
    }
  };
  const unaryInner = (): Expr => {
    if (isOp("-")) {
      pos++;
      return { kind: "neg", arg: unary() };
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    if (isOp("^")) {
      pos++;
      return { kind: "bin", op: "^", left: base, right: unary() };
    }
    return base;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) throw new ExpressionError(src.trim() ? "expression ends too early" : "expression is empty", src.length);
    if (tok.t === "num") {
      pos++;
      return { kind: "num", value: tok.v };
    }
    if (tok.t === "id") {
      pos++;
      if (isOp("(") && tok.v.toLowerCase() in functions) {
        const fn = tok.v.toLowerCase() as FnName;
        pos++;
        const args: Expr[] = [];
        if (!isOp(")")) {
          args.push(expr());
          while (isOp(",")) {
            pos++;
            args.push(expr());
          }
        }
        expectOp(")");
        if (args.length !== functions[fn].arity) {
          throw new ExpressionError(`${fn}() takes ${functions[fn].arity} argument(s), got ${args.length}`, tok.p);
        }
        return { kind: "call", fn, args };
      }
      if (isOp("(")) throw new ExpressionError(`unknown function '${tok.v}'`, tok.p);
      return { kind: "col", name: tok.v };
    }
    if (tok.v === "(") {
      pos++;
      const inner = expr();
      expectOp(")");
      return inner;
    }
    throw new ExpressionError(`unexpected '${tok.v}' at position ${tok.p + 1}`, tok.p);
  };

  const result = expr();
  if (pos < toks.length) throw new ExpressionError(`unexpected '${toks[pos]!.v}' at position ${at() + 1}`, at());
  if (depthOf(result) > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, 0);
  return result;
}

/** The tree's depth, without recursion (a long chain like a+a+…+a is deep but easy to build). */
function depthOf(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    max = Math.max(max, d);
    if (e.kind === "neg") stack.push([e.arg, d + 1]);
    else if (e.kind === "bin") stack.push([e.left, d + 1], [e.right, d + 1]);
    else if (e.kind === "call") for (const a of e.args) stack.push([a, d + 1]);
  }
  return max;
}

export function referencedColumns(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.kind) {
    case "col":
      into.add(e.name);
      break;
    case "neg":
      referencedColumns(e.arg, into);
      break;
    case "bin":
      referencedColumns(e.left, into);
      referencedColumns(e.right, into);
      break;
    case "call":
      e.args.forEach((a) => referencedColumns(a, into));
      break;
  }
  return into;
}

/**
 * Whether the expression can yield a missing value, read from its tree: when a column it
 * uses can be missing, or it divides by something other than a non-zero constant.
 */
export function mayBeNull(e: Expr, columnNullable: (name: string) => boolean): boolean {
  switch (e.kind) {
    case "num":
      return false;
    case "col":
      return columnNullable(e.name);
    case "neg":
      return mayBeNull(e.arg, columnNullable);
    case "bin": {
      const divisorMayBeZero = e.op === "/" && !(e.right.kind === "num" && e.right.value !== 0);
      return divisorMayBeZero || mayBeNull(e.left, columnNullable) || mayBeNull(e.right, columnNullable);
    }
    case "call":
      return e.args.some((a) => mayBeNull(a, columnNullable));
  }
}

export function toSql(e: Expr): string {
  switch (e.kind) {
    case "num":
      return `${e.value}::DOUBLE`;
    case "col":
      return `"${e.name.replaceAll('"', '""')}"::DOUBLE`;
    case "neg":
      return `(-${toSql(e.arg)})`;
    case "bin":
      if (e.op === "/") return `(${toSql(e.left)} / NULLIF(${toSql(e.right)}, 0))`;
      if (e.op === "^") return `power(${toSql(e.left)}, ${toSql(e.right)})`;
      return `(${toSql(e.left)} ${e.op} ${toSql(e.right)})`;
    case "call": {
      const args = e.args.map(toSql);
      const call = `${functions[e.fn].sql}(${args.join(", ")})`;
      // least/greatest skip NULLs in SQL; a missing input must give a missing result, as in JS.
      return args.length > 1 ? `(CASE WHEN ${args.map((a) => `${a} IS NULL`).join(" OR ")} THEN NULL ELSE ${call} END)` : call;
    }
  }
}

export function evaluate(e: Expr, row: Record<string, unknown>): number | null {
  switch (e.kind) {
    case "num":
      return e.value;
    case "col": {
      const v = row[e.name];
      return v === null || v === undefined ? null : Number(v);
    }
    case "neg": {
      const v = evaluate(e.arg, row);
      return v === null ? null : -v;
    }
    case "bin": {
      const l = evaluate(e.left, row);
      const r = evaluate(e.right, row);
      return l === null || r === null ? null : applyOp(e.op, l, r);
    }
    case "call": {
      const args = e.args.map((a) => evaluate(a, row));
      if (args.some((a) => a === null)) return null;
      return (functions[e.fn].js as (...a: number[]) => number)(...(args as number[]));
    }
  }
}

function applyOp(op: "+" | "-" | "*" | "/" | "^", l: number, r: number): number | null {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return r === 0 ? null : l / r;
    case "^":
      return Math.pow(l, r);
  }
}
