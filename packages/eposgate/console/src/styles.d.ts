// A stylesheet import is a module with no exports: the console's build (esbuild) bundles the CSS.
// TypeScript 6 and later check side-effect imports, so the type check needs to be told.
declare module '*.css';
