// File-level import rules checked by `npm run check:cycles` (part of `npm run lint`).
// The layer rules themselves live in scripts/check-imports.ts; this file forbids cycles, which
// that script cannot see: modules that import each other, directly or around a loop, and
// top-level folders of src/ that do.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module must not depend on itself through its imports: move what both sides need into a lower layer (src/types or a small module of its own).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-layers',
      severity: 'error',
      comment: 'The layers of src/ (docs/architecture.md, Layers) import one way: a folder directly under src/ must not depend on itself through another (graph/ and runtime/ once did).',
      scope: 'folder',
      from: { path: '^src/[^/]+$' },
      to: { circular: true, path: '^src/[^/]+$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
