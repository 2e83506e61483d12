/**
 * The expression language: arithmetic over columns, e.g. `feature_1 * feature_2`, and conditions
 * over them, e.g. `price > 100 and city == 'Oslo' or is_missing(age)`.
 * One parser, two back ends: SQL for DuckDB at training time and a JS evaluator for the
 * serving runtime, so an endpoint computes exactly what the model was trained on.
 * Missing values propagate (null in, null out; a comparison with a missing value is missing,
 * `and`/`or` follow SQL's three-valued logic); division by zero yields null.
 *
 * Strings are written in single or double quotes, column names that are not plain words in
 * backticks. Numeric expressions (a derived column) predate strings: there a double-quoted
 * name is still read as a column, as it always was.
 */
import { UserError } from "../errors";
import type { ColumnType } from "./document";

type ArithOp = "+" | "-" | "*" | "/" | "^";
type CmpOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type Expr =
  | { kind: "num"; value: number }
  | { kind: "str"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "col"; name: string }
  | { kind: "neg"; arg: Expr }
  | { kind: "bin"; op: ArithOp; left: Expr; right: Expr }
  | { kind: "call"; fn: FnName; args: Expr[] }
  | { kind: "cmp"; op: CmpOp; left: Expr; right: Expr }
  | { kind: "logic"; op: "and" | "or"; left: Expr; right: Expr }
  | { kind: "not"; arg: Expr }
  | { kind: "missing"; arg: Expr };

/** What an expression computes, per row. */
export type Value = number | string | boolean | null;

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

/** Words with a meaning of their own; a column with such a name is written in backticks. */
const KEYWORDS = new Set(["and", "or", "not", "true", "false"]);

export class ExpressionError extends UserError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message, { position });
  }
}

type Token =
  | { t: "num"; v: number; p: number }
  | { t: "id"; v: string; p: number; quoted: boolean }
  | { t: "str"; v: string; p: number }
  | { t: "op"; v: string; p: number };

/** What the text is parsed as: a number (a derived column) or a condition (true or false). */
type Mode = "number" | "condition";

function tokenize(src: string, mode: Mode): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const two = src.slice(i, i + 2);
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
      out.push({ t: "id", v: m[0], p: i, quoted: false });
      i += m[0].length;
    } else if (ch === "`" || (ch === '"' && mode === "number")) {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) throw new ExpressionError(`unclosed ${ch} starting at position ${i + 1}`, i);
      out.push({ t: "id", v: src.slice(i + 1, end), p: i, quoted: true });
      i = end + 1;
    } else if (ch === "'" || ch === '"') {
      // A quote inside a string is written twice, as in SQL: 'it''s'.
      let j = i + 1;
      let v = "";
      for (;;) {
        const end = src.indexOf(ch, j);
        if (end < 0) throw new ExpressionError(`unclosed ${ch} starting at position ${i + 1}`, i);
        v += src.slice(j, end);
        if (src[end + 1] !== ch) {
          j = end + 1;
          break;
        }
        v += ch;
        j = end + 2;
      }
      out.push({ t: "str", v, p: i });
      i = j;
    } else if (["<=", ">=", "==", "!="].includes(two)) {
      out.push({ t: "op", v: two, p: i });
      i += 2;
    } else if ("+-*/^(),<>".includes(ch)) {
      out.push({ t: "op", v: ch, p: i });
      i++;
    } else if (ch === "=") {
      throw new ExpressionError(`unexpected '=' at position ${i + 1} (compare with '==')`, i);
    } else {
      throw new ExpressionError(`unexpected '${ch}' at position ${i + 1}`, i);
    }
  }
  return out;
}

/** Longest expression, and deepest nesting of parentheses, calls and operators, the engines accept. */
const MAX_EXPRESSION_LENGTH = 2000;
const MAX_EXPRESSION_DEPTH = 256;

const CMP_OPS = new Set(["<", "<=", ">", ">=", "==", "!="]);

function parse(src: string, mode: Mode): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  const toks = tokenize(src, mode);
  // Where each node starts, for type errors found once the tree is built.
  const starts = new Map<Expr, number>();
  let pos = 0;
  const peek = () => toks[pos];
  const at = () => peek()?.p ?? src.length;
  const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
  const isWord = (w: string) => {
    const tok = peek();
    return tok?.t === "id" && !tok.quoted && tok.v.toLowerCase() === w;
  };
  const expectOp = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}' at position ${at() + 1}`, at());
    pos++;
  };
  const node = (e: Expr, p: number) => {
    starts.set(e, p);
    return e;
  };

  const or = (): Expr => {
    const p = at();
    let left = and();
    while (isWord("or")) {
      pos++;
      left = node({ kind: "logic", op: "or", left, right: and() }, p);
    }
    return left;
  };
  const and = (): Expr => {
    const p = at();
    let left = not();
    while (isWord("and")) {
      pos++;
      left = node({ kind: "logic", op: "and", left, right: not() }, p);
    }
    return left;
  };
  const not = (): Expr => {
    if (!isWord("not")) return comparison();
    const p = at();
    pos++;
    return node({ kind: "not", arg: nested(not) }, p);
  };
  const comparison = (): Expr => {
    const p = at();
    const left = expr();
    const tok = peek();
    if (tok?.t !== "op" || !CMP_OPS.has(tok.v)) return left;
    pos++;
    const cmp = node({ kind: "cmp", op: tok.v as CmpOp, left, right: expr() }, p);
    const next = peek();
    if (next?.t === "op" && CMP_OPS.has(next.v)) {
      throw new ExpressionError(`comparisons cannot be chained (position ${next.p + 1}); join them with 'and'`, next.p);
    }
    return cmp;
  };
  const expr = (): Expr => {
    const p = at();
    let left = term();
    while (isOp("+") || isOp("-")) {
      const op = toks[pos++]!.v as "+" | "-";
      left = node({ kind: "bin", op, left, right: term() }, p);
    }
    return left;
  };
  const term = (): Expr => {
    const p = at();
    let left = unary();
    while (isOp("*") || isOp("/")) {
      const op = toks[pos++]!.v as "*" | "/";
      left = node({ kind: "bin", op, left, right: unary() }, p);
    }
    return left;
  };
  let nesting = 0;
  // Each level of parentheses, calls, `not` and unary signs recurses: bound it before the stack does.
  const nested = (f: () => Expr): Expr => {
    if (++nesting > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, at());
    try {
      return f();
    } finally {
      nesting--;
    }
  };
  const unary = (): Expr => nested(unaryInner);
  const unaryInner = (): Expr => {
    const p = at();
    if (isOp("-")) {
      pos++;
      return node({ kind: "neg", arg: unary() }, p);
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): Expr => {
    const p = at();
    const base = primary();
    if (isOp("^")) {
      pos++;
      return node({ kind: "bin", op: "^", left: base, right: unary() }, p);
    }
    return base;
  };
  const args = (): Expr[] => {
    const list: Expr[] = [];
    if (!isOp(")")) {
      list.push(or());
      while (isOp(",")) {
        pos++;
        list.push(or());
      }
    }
    expectOp(")");
    return list;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) throw new ExpressionError(src.trim() ? "expression ends too early" : "expression is empty", src.length);
    if (tok.t === "num") {
      pos++;
      return node({ kind: "num", value: tok.v }, tok.p);
    }
    if (tok.t === "str") {
      pos++;
      return node({ kind: "str", value: tok.v }, tok.p);
    }
    if (tok.t === "id") {
      const word = tok.v.toLowerCase();
      if (!tok.quoted && (word === "true" || word === "false")) {
        pos++;
        return node({ kind: "bool", value: word === "true" }, tok.p);
      }
      if (!tok.quoted && KEYWORDS.has(word)) throw new ExpressionError(`unexpected '${tok.v}' at position ${tok.p + 1}`, tok.p);
      pos++;
      if (isOp("(") && word === "is_missing") {
        pos++;
        const list = args();
        if (list.length !== 1) throw new ExpressionError(`is_missing() takes 1 argument(s), got ${list.length}`, tok.p);
        return node({ kind: "missing", arg: list[0]! }, tok.p);
      }
      if (isOp("(") && word in functions) {
        const fn = word as FnName;
        pos++;
        const list = args();
        if (list.length !== functions[fn].arity) {
          throw new ExpressionError(`${fn}() takes ${functions[fn].arity} argument(s), got ${list.length}`, tok.p);
        }
        return node({ kind: "call", fn, args: list }, tok.p);
      }
      if (isOp("(")) throw new ExpressionError(`unknown function '${tok.v}'`, tok.p);
      return node({ kind: "col", name: tok.v }, tok.p);
    }
    if (tok.v === "(") {
      pos++;
      const inner = or();
      expectOp(")");
      return inner;
    }
    throw new ExpressionError(`unexpected '${tok.v}' at position ${tok.p + 1}`, tok.p);
  };

  const result = or();
  if (pos < toks.length) throw new ExpressionError(`unexpected '${toks[pos]!.v}' at position ${at() + 1}`, at());
  if (depthOf(result) > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, 0);
  // What the literals and operators alone decide (columns' types are checked against the input).
  const { type, errors } = check(result, () => undefined);
  const first = errors[0];
  if (first) throw new ExpressionError(first.message, starts.get(first.at) ?? 0);
  const wrong = resultProblem(mode, type);
  if (wrong) throw new ExpressionError(wrong, 0);
  return result;
}

/** What is wrong with an expression's result for what it is parsed as, if anything. */
function resultProblem(mode: Mode, type: ColumnType | undefined): string | undefined {
  if (type === undefined) return undefined;
  if (mode === "number" && type !== "number") return `the expression gives ${type === "boolean" ? "true or false" : "a string"}, not a number`;
  if (mode === "condition" && type !== "boolean") return `the condition gives a ${type}; it must be true or false (e.g. price > 100)`;
  return undefined;
}

/** Parses a numeric expression (a derived column); throws ExpressionError with a 0-based position. */
/**
 * Parsed trees by source text (or the error): the canvas compiles the whole pipeline on every
 * edit, and a thousand nodes share a handful of expressions. Trees are never modified once built,
 * so one may be shared. Bounded: emptied when full.
 */
const parsed = new Map<string, Expr | ExpressionError>();
const PARSED_MAX = 5000;
function parseMemo(src: string, mode: Mode): Expr {
  const key = `${mode}:${src}`;
  let hit = parsed.get(key);
  if (hit === undefined) {
    try {
      hit = parse(src, mode);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      hit = e;
    }
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(key, hit);
  }
  // A fresh error each time: callers may reword what they catch.
  if (hit instanceof ExpressionError) throw new ExpressionError(hit.message, hit.position);
  return hit;
}

export function parseExpression(src: string): Expr {
  return parseMemo(src, "number");
}

/** Parses a condition (which rows to keep); throws ExpressionError with a 0-based position. */
export function parseCondition(src: string): Expr {
  return parseMemo(src, "condition");
}

/**
 * Columns an expression orders (`<`, `<=`, `>`, `>=`) directly, for checks that need a column's
 * meaning: dates written as text cannot be ordered as text.
 */
export function orderedColumns(e: Expr, into = new Set<string>()): Set<string> {
  if (e.kind === "cmp" && e.op !== "==" && e.op !== "!=") {
    for (const side of [e.left, e.right]) if (side.kind === "col") into.add(side.name);
  }
  for (const c of children(e)) orderedColumns(c, into);
  return into;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "neg":
    case "not":
    case "missing":
      return [e.arg];
    case "bin":
    case "cmp":
    case "logic":
      return [e.left, e.right];
    case "call":
      return e.args;
    default:
      return [];
  }
}

/** The tree's depth, without recursion (a long chain like a+a+…+a is deep but easy to build). */
function depthOf(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    max = Math.max(max, d);
    for (const c of children(e)) stack.push([c, d + 1]);
  }
  return max;
}

export function referencedColumns(e: Expr, into = new Set<string>()): Set<string> {
  if (e.kind === "col") into.add(e.name);
  for (const c of children(e)) referencedColumns(c, into);
  return into;
}

/** How a part of an expression is named in a type error. */
function what(e: Expr): string {
  switch (e.kind) {
    case "col":
      return `column '${e.name}'`;
    case "num":
      return String(e.value);
    case "str":
      return `'${e.value}'`;
    case "bool":
      return String(e.value);
    case "cmp":
      return `the comparison '${e.op}'`;
    case "logic":
      return `'${e.op}'`;
    case "not":
      return "'not'";
    case "missing":
      return "is_missing()";
    default:
      return "the arithmetic";
  }
}

interface TypeProblem {
  message: string;
  /** The part of the expression at fault. */
  at: Expr;
}

/**
 * The type of each part, bottom up; `undefined` where it depends on a column whose type is not
 * known. Arithmetic takes numbers, `and`/`or`/`not` take true/false, and a comparison takes two
 * values of one type: a string is never compared with a number.
 */
function check(root: Expr, columnType: (name: string) => ColumnType | undefined): { type: ColumnType | undefined; errors: TypeProblem[] } {
  const errors: TypeProblem[] = [];
  const want = (e: Expr, type: ColumnType | undefined, needed: ColumnType) => {
    if (type !== undefined && type !== needed) {
      errors.push({ at: e, message: `${what(e)} is ${type}, not ${needed === "number" ? "a number" : "true or false"}` });
    }
  };
  const visit = (e: Expr): ColumnType | undefined => {
    switch (e.kind) {
      case "num":
        return "number";
      case "str":
        return "string";
      case "bool":
        return "boolean";
      case "col":
        return columnType(e.name);
      case "neg":
        want(e.arg, visit(e.arg), "number");
        return "number";
      case "bin":
        want(e.left, visit(e.left), "number");
        want(e.right, visit(e.right), "number");
        return "number";
      case "call":
        for (const a of e.args) want(a, visit(a), "number");
        return "number";
      case "cmp": {
        const l = visit(e.left);
        const r = visit(e.right);
        if (l !== undefined && r !== undefined && l !== r) {
          const culprit = e.left.kind === "col" ? e.left : e.right;
          errors.push({ at: culprit, message: `cannot compare ${what(e.left)} (${l}) with ${what(e.right)} (${r})` });
        }
        return "boolean";
      }
      case "logic":
        want(e.left, visit(e.left), "boolean");
        want(e.right, visit(e.right), "boolean");
        return "boolean";
      case "not":
        want(e.arg, visit(e.arg), "boolean");
        return "boolean";
      case "missing":
        visit(e.arg);
        return "boolean";
    }
  };
  return { type: visit(root), errors };
}

/**
 * Checks a condition against the input's columns: each exists, each is used as its type allows
 * (a string column is not compared with a number), and the whole is true or false. Returns the
 * problems, each naming the column at fault.
 */
export function checkCondition(e: Expr, columnType: (name: string) => ColumnType | undefined): string[] {
  const unknown = [...referencedColumns(e)].filter((name) => columnType(name) === undefined);
  if (unknown.length) return unknown.map((name) => `column '${name}' is not in the input`);
  const { type, errors } = check(e, columnType);
  const wrong = resultProblem("condition", type);
  return [...errors.map((p) => p.message), ...(wrong ? [wrong] : [])];
}

/**
 * Whether the expression can yield a missing value, read from its tree: when a column it
 * uses can be missing, or it divides by something other than a non-zero constant.
 */
export function mayBeNull(e: Expr, columnNullable: (name: string) => boolean): boolean {
  switch (e.kind) {
    case "num":
    case "str":
    case "bool":
    case "missing":
      return false;
    case "col":
      return columnNullable(e.name);
    case "bin": {
      const divisorMayBeZero = e.op === "/" && !(e.right.kind === "num" && e.right.value !== 0);
      return divisorMayBeZero || mayBeNull(e.left, columnNullable) || mayBeNull(e.right, columnNullable);
    }
    default:
      return children(e).some((c) => mayBeNull(c, columnNullable));
  }
}

const sqlOps: Record<CmpOp, string> = { "<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "<>" };

/**
 * The SQL of an expression. Columns are read as doubles unless `columnType` says they hold
 * strings or booleans (a condition over the input's columns).
 */
export function toSql(e: Expr, columnType: (name: string) => ColumnType | undefined = () => "number"): string {
  const sql = (x: Expr) => toSql(x, columnType);
  switch (e.kind) {
    case "num":
      return `${e.value}::DOUBLE`;
    case "str":
      return `'${e.value.replaceAll("'", "''")}'`;
    case "bool":
      return e.value ? "TRUE" : "FALSE";
    case "col": {
      const ident = `"${e.name.replaceAll('"', '""')}"`;
      return (columnType(e.name) ?? "number") === "number" ? `${ident}::DOUBLE` : ident;
    }
    case "neg":
      return `(-${sql(e.arg)})`;
    case "bin":
      if (e.op === "/") return `(${sql(e.left)} / NULLIF(${sql(e.right)}, 0))`;
      if (e.op === "^") return `power(${sql(e.left)}, ${sql(e.right)})`;
      return `(${sql(e.left)} ${e.op} ${sql(e.right)})`;
    case "call": {
      const args = e.args.map(sql);
      const call = `${functions[e.fn].sql}(${args.join(", ")})`;
      // least/greatest skip NULLs in SQL; a missing input must give a missing result, as in JS.
      return args.length > 1 ? `(CASE WHEN ${args.map((a) => `${a} IS NULL`).join(" OR ")} THEN NULL ELSE ${call} END)` : call;
    }
    case "cmp":
      return `(${sql(e.left)} ${sqlOps[e.op]} ${sql(e.right)})`;
    case "logic":
      return `(${sql(e.left)} ${e.op.toUpperCase()} ${sql(e.right)})`;
    case "not":
      return `(NOT ${sql(e.arg)})`;
    case "missing":
      return `(${sql(e.arg)} IS NULL)`;
  }
}

/** A numeric expression's value on one row (what `parseExpression` accepts). */
export function evaluate(e: Expr, row: Record<string, unknown>): number | null {
  const v = evaluateValue(e, row);
  return v === null ? null : Number(v);
}

/** Any expression's value on one row: a number, a string, true or false, or null for missing. */
export function evaluateValue(e: Expr, row: Record<string, unknown>): Value {
  switch (e.kind) {
    case "num":
    case "str":
    case "bool":
      return e.value;
    case "col": {
      const v = row[e.name];
      return v === null || v === undefined ? null : (v as Value);
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
    case "cmp": {
      const l = evaluateValue(e.left, row);
      const r = evaluateValue(e.right, row);
      if (l === null || r === null) return null;
      const c = typeof l === "string" && typeof r === "string" ? compareText(l, r) : compareNumbers(Number(l), Number(r));
      return compared(e.op, c);
    }
    case "logic": {
      const l = evaluateValue(e.left, row);
      const r = evaluateValue(e.right, row);
      // Three-valued, as in SQL: false and missing is false, true or missing is true.
      if (e.op === "and") return l === false || r === false ? false : l === null || r === null ? null : true;
      return l === true || r === true ? true : l === null || r === null ? null : false;
    }
    case "not": {
      const v = evaluateValue(e.arg, row);
      return v === null ? null : v !== true;
    }
    case "missing":
      return evaluateValue(e.arg, row) === null;
  }
}

/** Numbers in DuckDB's order: NaN equals itself and sorts above every other number. */
function compareNumbers(l: number, r: number): number {
  if (Number.isNaN(l) || Number.isNaN(r)) return Number.isNaN(l) ? (Number.isNaN(r) ? 0 : 1) : -1;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Strings by code point, as DuckDB compares UTF-8 bytes (JS's `<` compares UTF-16 units). */
function compareText(l: string, r: string): number {
  const a = l[Symbol.iterator]();
  const b = r[Symbol.iterator]();
  for (;;) {
    const x = a.next();
    const y = b.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

function compared(op: CmpOp, c: number): boolean {
  switch (op) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "==":
      return c === 0;
    case "!=":
      return c !== 0;
  }
}

function applyOp(op: ArithOp, l: number, r: number): number | null {
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
