// typescript-eslint's recommended type-checked rules over the server, the client, the seed,
// the scripts and the tests. CI fails on any finding (`npm run lint`).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/generated/**', 'client/dist-*/**', 'client/.swc/**', '.tmp/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['prisma.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // React ignores what an event handler returns; an async onClick is the idiom, and the request
      // wrapper reports its own failures. Promises passed anywhere else are still checked.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Tests read HTTP bodies (supertest's `res.body` is `any`) and rows as untyped JSON and assert
    // them with matchers; the contract test checks every response body against the OpenAPI schema.
    // Every other rule, floating and misused promises included, applies to tests too.
    files: ['tests/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
