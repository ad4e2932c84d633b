/** @xmldom/xmldom's grammar module (CommonJS, no types of its own): what xmldom-end-tag.ts uses of it. */
declare module '@xmldom/xmldom/lib/grammar.js' {
  const grammar: { reg: (...parts: (RegExp | string)[]) => RegExp; [name: string]: unknown };
  export default grammar;
}
