import { builtinRules } from "eslint/use-at-your-own-risk";

// `max-lines-per-function` for test files, with one difference: a callback handed to
// `describe` (or `describe.each(...)`, `describe.skip`, …) is a table of test cases, not a
// function anyone reads top to bottom, so it is not measured. Everything inside it is:
// each `it` body, each hook and each helper still stays within the limit.

const core = builtinRules.get("max-lines-per-function");

/** `describe`, `describe.x`, `describe.each(rows)`, `describe.skip.each(rows)`… */
function isDescribe(callee) {
  let node = callee;
  while (node) {
    if (node.type === "Identifier") return node.name === "describe";
    if (node.type === "MemberExpression") node = node.object;
    else if (node.type === "CallExpression") node = node.callee;
    else return false;
  }
  return false;
}

const isTestTable = (fn) =>
  fn.parent?.type === "CallExpression" && fn.parent.arguments.includes(fn) && isDescribe(fn.parent.callee);

export const maxLinesPerFunctionInTests = {
  meta: { ...core.meta, docs: { description: "max-lines-per-function, describe callbacks excepted" } },
  create(context) {
    const listeners = core.create(context);
    const wrapped = {};
    for (const [selector, listener] of Object.entries(listeners)) {
      wrapped[selector] = (node) => {
        const fn = node.type.startsWith("Function") || node.type === "ArrowFunctionExpression" ? node : null;
        if (fn && isTestTable(fn)) return;
        listener(node);
      };
    }
    return wrapped;
  },
};

const plugin = { rules: { "max-lines-per-function-in-tests": maxLinesPerFunctionInTests } };
export default plugin;
