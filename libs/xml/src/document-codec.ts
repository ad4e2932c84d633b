import type { Element } from '@xmldom/xmldom';
import type { z } from 'zod';
import type { DecodeOptions, ElementCodec } from './binding.ts';
import { DocumentError } from './document-error.ts';
import { parseXml } from './parse.ts';
import { printXml } from './writer.ts';

/** A whole document type: its root element, namespace, model and codec. */
export interface DocumentCodec<T> {
  readonly namespace: string;
  readonly rootElement: string;
  readonly schema: z.ZodType<T>;
  /** Parses XML text; throws {@link DocumentError} (never anything else) on bad input. */
  parse(xml: string, options?: DecodeOptions): T;
  /** Validates the model against {@link schema} (throws DocumentError `invalid-model`) and writes XML. */
  serialize(doc: T): string;
}

export interface DocumentOptions {
  /** Namespace -> prefix for foreign namespaces that conventionally appear prefixed (e.g. common-policy `cp`); see {@link printXml}. */
  readonly prefixes?: Readonly<Record<string, string>>;
}

/** A document type made of its root element name, namespace and the codec of the root element. */
export function defineDocument<T>(namespace: string, rootElement: string, codec: ElementCodec<T>, options: DocumentOptions = {}): DocumentCodec<T> {
  const printOptions = options.prefixes ? { prefixes: options.prefixes } : {};
  return {
    namespace,
    rootElement,
    schema: codec.schema,
    parse(xml, options = {}) {
      // Without node positions (parse.ts): only an error message needs them, and then the text
      // is parsed and decoded again with them, so that the error says where (issue #14).
      const root = parseXml(xml, { positions: false }).documentElement;
      if (!root) throw new DocumentError('not-well-formed', 'no root element');
      try {
        return decodeRoot(root, namespace, rootElement, codec, options);
      } catch (err) {
        if (err instanceof DocumentError) decodeRoot(parseXml(xml).documentElement!, namespace, rootElement, codec, options);
        throw err;
      }
    },
    serialize(doc) {
      return printXml(encodeRoot(doc, namespace, rootElement, codec), printOptions);
    },
  };
}

/** Decodes an element that is the root of a (possibly embedded) document of this type. */
export function decodeRoot<T>(
  root: Element,
  namespace: string,
  rootElement: string,
  codec: ElementCodec<T>,
  options: DecodeOptions,
  path = '',
): T {
  const here = `${path}/${root.tagName}`;
  if (root.localName !== rootElement) {
    throw new DocumentError('wrong-root', `expected root element <${rootElement}>, found <${root.localName}>`, here);
  }
  if ((root.namespaceURI ?? null) !== namespace) {
    throw new DocumentError('wrong-namespace', `expected namespace ${namespace}, found ${root.namespaceURI ?? 'no namespace'}`, here);
  }
  const value = codec.decode(root, here, options);
  const checked = codec.schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new DocumentError('schema', issue?.message ?? 'invalid', `${here} (model path ${issue?.path.join('.') ?? ''})`);
  }
  return checked.data;
}

export function encodeRoot<T>(doc: T, namespace: string, rootElement: string, codec: ElementCodec<T>) {
  const checked = codec.schema.safeParse(doc);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new DocumentError('invalid-model', issue?.message ?? 'invalid model', `${rootElement}.${issue?.path.join('.') ?? ''}`);
  }
  return codec.encode(checked.data, namespace, rootElement);
}
