/** Property tests (fast-check) of the expression language: any text parses or is refused with its reason. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate, evaluateValue, ExpressionError, parseCondition, parseExpression, referencedColumns, toSql } from "./expression";

const token = fc.constantFrom("a", "b", "`x y`", "1", "2.5", "1e3", "+", "-", "*", "/", "^", "(", ")", ",", "log(", "max(", "abs(", " ");
const conditionToken = fc.constantFrom("a", "s", "1", "'x'", '"y"', "true", " and ", " or ", "not ", "is_missing(", "<", "<=", "==", "!=", ">", "+", "(", ")", " ");

describe("expression language (property)", () => {
  it("parses or refuses any text with an ExpressionError, never anything else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(token, { maxLength: 40 }).map((t) => t.join(""))), (src) => {
        let expr;
        try {
          expr = parseExpression(src);
        } catch (e) {
          expect(e).toBeInstanceOf(ExpressionError);
          return;
        }
        // Whatever parses compiles to SQL and evaluates (to a number, null or NaN) without throwing.
        expect(typeof toSql(expr)).toBe("string");
        const row = Object.fromEntries([...referencedColumns(expr)].map((c, i) => [c, i % 3 === 0 ? null : i - 1.5]));
        const v = evaluate(expr, row);
        expect(v === null || typeof v === "number").toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("parses or refuses any condition with an ExpressionError; what parses is true, false or missing on any row", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(conditionToken, { maxLength: 40 }).map((t) => t.join(""))), (src) => {
        let expr;
        try {
          expr = parseCondition(src);
        } catch (e) {
          expect(e).toBeInstanceOf(ExpressionError);
          return;
        }
        expect(typeof toSql(expr)).toBe("string");
        for (const row of [{}, { a: 1, s: "x" }, { a: null, s: null }]) {
          const v = evaluateValue(expr, row);
          // A bare column of unknown type parses (its type is checked against the input); anything else is a truth value.
          if (expr.kind !== "col") expect(v === null || typeof v === "boolean").toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
