// ESLint flat config for every front-end file in js/ (npm --prefix js run lint).
// Plain ES modules get @eslint/js "recommended"; the JupyterLab extension's
// TypeScript sources get typescript-eslint's "recommended" on top.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "labextension/node_modules/**", "labextension/lib/**", "labextension/.yarn/**"],
  },
  {
    files: ["**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["*.config.js", "labextension/**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["labextension/src/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
  },
);
