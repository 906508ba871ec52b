import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layers, enforced mechanically (see ../shared/CONVENTIONS.md):
//   shared/        imports nothing of ours and nothing of Electron or Node;
//   electron/core/ never imports 'electron' (it runs under plain Node: CLI and tests);
//   renderer/      never imports electron/** nor 'electron' (it talks only to the preload API).
const electronImport = { name: 'electron', message: 'Only electron/main.ts, electron/preload.ts and electron/adapters/ may import electron.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [electronImport],
          patterns: [
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports nothing from electron/ or renderer/.' },
            { group: ['node:*'], message: 'shared/ is used by the renderer too: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/ipc/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronImport], patterns: [{ group: ['**/adapters/**'], message: 'Core and the IPC handlers receive adapters as parameters; they never import them.' }] }],
    },
  },
  {
    // The CLI runs under plain Node: it may use the OS adapters (keychain) but never Electron's.
    files: ['electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronImport], patterns: [{ group: ['**/adapters/ipc-main*', '**/adapters/electron-*'], message: 'The CLI never loads Electron adapters.' }] }],
    },
  },
  {
    files: ['test/e2e/bridge-client.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronImport], patterns: [{ group: ['**/electron/**', 'node:*'], message: 'The renderer talks only to the preload API (window.hoplight).' }] },
      ],
    },
  },
);
