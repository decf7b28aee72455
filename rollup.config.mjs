import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/**
 * Builds the App into packages/sdk/dist and the team console into packages/console/dist. Each bundle is one block in the list below: to add one,
 * copy a block and change its input and output.
 */
const sdk = 'packages/sdk';
const dist = `${sdk}/dist`;

const compile = (overrides = {}) => typescript({ tsconfig: `${sdk}/tsconfig.build.json`, outputToFilesystem: true, ...overrides });

/**
 * Property names terser renames to one letter: those of js-cookie's converter. The core itself
 * has none left (its factories hand back tuples or are plain functions). None of these is a
 * public name of the App, a wire field, or called on a browser object in hark.js, which is why
 * `builtins: true` is safe here (`read` is also a DOM name, which terser otherwise refuses to
 * touch). Adding a name here that the page or the collector must see breaks hark.js;
 * test/built-script.test.ts runs the minified file to catch that.
 */
const INTERNAL_NAMES = /^(read|write)$/;

/**
 * js-cookie builds its API with `Object.create({ set, get, remove, withAttributes, withConverter },
 * { attributes, converter })`: one object, so no bundler can drop the parts hark.js never calls.
 * This keeps js-cookie's own set, get and remove, unchanged, and leaves out withAttributes,
 * withConverter and the frozen `attributes`/`converter` properties (52 B gzipped). It fails the build
 * if js-cookie's file no longer reads as expected (a new version), rather than ship it unstripped.
 */
const jsCookieCoreOnly = () => ({
  name: 'js-cookie-core-only',
  transform(code, id) {
    if (!/[\\/]js-cookie[\\/]dist[\\/]js\.cookie\.mjs$/.test(id)) return null;
    const open = 'return Object.create(';
    const start = code.indexOf(open);
    const extras = code.indexOf(',\n      withAttributes:', start);
    const end = code.indexOf('\n}\n\nvar api', extras);
    if (start < 0 || extras < 0 || end < 0) this.error(`js-cookie-core-only: ${id} is not the js-cookie 3.0 build it expects`);
    return { code: code.slice(0, start) + 'return ' + code.slice(start + open.length, extras).trim() + '\n    }' + code.slice(end), map: null };
  },
});

// Size is a feature (DESIGN §7): mangle everything that is not a public name, keep no comments.
const minify = () =>
  terser({
    ecma: 2020,
    toplevel: true,
    mangle: { properties: { builtins: true, regex: INTERNAL_NAMES } },
    compress: { passes: 4, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true },
    format: { comments: false },
  });

const consoleDir = 'packages/console';

/** Copies the console's index.html next to its bundle: the collector serves both from dist/. */
const consoleHtml = () => ({
  name: 'console-html',
  async generateBundle() {
    const { readFile } = await import('node:fs/promises');
    this.emitFile({ type: 'asset', fileName: 'index.html', source: await readFile(`${consoleDir}/index.html`, 'utf8') });
  },
});

const minifyUi = () => terser({ ecma: 2020, toplevel: true, compress: { passes: 2 }, format: { comments: false } });

export default [
  // hark.js: the script-tag App. An IIFE that exports nothing and sets only window.hark.
  {
    input: `${sdk}/src/loader.ts`,
    output: { file: `${dist}/hark.js`, format: 'iife', strict: false, plugins: [minify()] },
    plugins: [nodeResolve({ browser: true }), jsCookieCoreOnly(), compile()],
  },
  // hark-ui.js: the message UI (Preact), loaded by the core only when a message is due. Minified
  // without terser's unsafe rewrites, which Preact's own build does not expect.
  {
    input: `${sdk}/src/ui/index.ts`,
    output: { file: `${dist}/hark-ui.js`, format: 'iife', plugins: [minifyUi()] },
    plugins: [nodeResolve({ browser: true }), compile()],
  },
  // hark.esm.js and its types: createHark() for bundlers, which bring their own js-cookie.
  {
    input: `${sdk}/src/index.ts`,
    output: { dir: dist, entryFileNames: 'hark.esm.js', format: 'es' },
    external: ['js-cookie'],
    plugins: [nodeResolve({ browser: true }), compile({ declaration: true, declarationDir: `${dist}/types` })],
  },
  // The team console (DESIGN §11): its own Preact app, served by the collector at /console; never
  // part of hark.js. Minified like the UI (Preact does not expect terser's unsafe rewrites).
  {
    input: `${consoleDir}/src/main.tsx`,
    output: { dir: `${consoleDir}/dist`, entryFileNames: 'console.js', format: 'iife', plugins: [minifyUi()] },
    plugins: [
      nodeResolve({ browser: true }),
      typescript({ tsconfig: `${consoleDir}/tsconfig.build.json`, outputToFilesystem: true }),
      consoleHtml(),
    ],
  },
];
