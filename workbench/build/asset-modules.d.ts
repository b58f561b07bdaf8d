/** A browser script bundled into a string by the esbuild plugin in `browser-bundle.ts`. */
declare module '*?browser' {
  const script: string;
  export default script;
}

/** Inlined as strings by esbuild's `text` loader (serverless.yml, `custom.esbuild.loader`). */
declare module '*.html' {
  const text: string;
  export default text;
}

declare module '*.css' {
  const text: string;
  export default text;
}
