// ESLint flat config: typescript-eslint with type information over sources,
// tests and scripts, and the Jest plugin for the tests.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import jest from 'eslint-plugin-jest'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: [
      'dist/',
      'coverage/',
      'reports/',
      '.stryker-tmp/',
      'node_modules/'
    ]
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true }
      ],
      // `return problem(...)` and `(x) => log(x)` read better than the
      // two-statement forms this stylistic rule asks for.
      '@typescript-eslint/no-confusing-void-expression': 'off'
    }
  },
  {
    files: ['**/*.js'],
    rules: {
      // Plain JavaScript support code is typed through JSDoc; these rules
      // would demand annotations JSDoc cannot give without noise.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off'
    }
  },
  {
    files: ['__tests__/**'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-standalone-expect': [
        'error',
        { additionalTestBlockFunctions: ['onLinuxX64'] }
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off'
    }
  }
)
