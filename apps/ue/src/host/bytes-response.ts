/**
 * A Fetch `Response` whose body is bytes already read (the UE host's HTTP client reads every body
 * whole; host/http-client.ts). `text()`, `json()`, `arrayBuffer()` and `bytes()` answer from the
 * bytes, and `clone()` shares them; the body stream (`body`, `blob()`, `formData()`) is made only
 * when something asks for it, and from then on every read goes through it. Body-used rules are
 * Fetch's (WHATWG Fetch, "Body mixin"): a body reads once, a read of a used body rejects with a
 * TypeError, and a used response does not clone.
 *
 * Why (issue #14, our choice): a `Response` built from bytes sets up a readable byte stream and its
 * transfer machinery at construction; over `mcx bench migration` that was about 3 % of the UE
 * host's CPU, for bodies every caller reads with `text()` or `json()`.
 */
const EMPTY = Buffer.alloc(0);

export class BytesResponse extends Response {
  readonly #bytes: Buffer | null;
  #used = false;
  /** The response that owns the body stream, once something asked for the stream. */
  #streamed: Response | undefined;

  /** `bytes` null: a response without a body (a null body status, a HEAD). */
  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  /** The status line and headers, for a response made from this one. */
  #init(): ResponseInit {
    return { status: this.status, statusText: this.statusText, headers: this.headers };
  }

  #stream(): Response {
    if (!this.#streamed) {
      // A Buffer is a Uint8Array, a BodyInit (some DOM typings take only ArrayBuffer-backed views).
      this.#streamed = new Response(this.#bytes as unknown as ConstructorParameters<typeof Response>[0], this.#init());
      // A body already read leaves a used stream behind it.
      if (this.#used) this.#streamed.arrayBuffer().catch(() => undefined);
    }
    return this.#streamed;
  }

  /** The bytes, marking the body used; rejects as Fetch does when it was. A null body reads as no bytes, and stays unused. */
  #take(): Promise<Buffer> {
    if (this.#bytes === null) return Promise.resolve(EMPTY);
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (this.#streamed) return this.#streamed.arrayBuffer().then((b) => Buffer.from(b));
    this.#used = true;
    return Promise.resolve(this.#bytes);
  }

  #text(): Promise<string> {
    return this.#take().then((b) => b.toString('utf8'));
  }

  #arrayBuffer(): Promise<ArrayBuffer> {
    // A copy: the caller may change it, and the bytes stay what the tap recorded.
    return this.#take().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }

  #clone(): Response {
    if (this.#used || this.#streamed?.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.#streamed) return this.#streamed.clone();
    return new BytesResponse(this.#bytes, this.#init());
  }

  // The body members are defined on this prototype, inside the class for its private fields: the
  // DOM types declare them as properties of Response, which a subclass cannot redeclare as methods
  // or accessors.
  static {
    const method = (value: (this: BytesResponse) => unknown): PropertyDescriptor => ({ value, writable: true, configurable: true });
    Object.defineProperties(BytesResponse.prototype, {
      text: method(function (this: BytesResponse) {
        return this.#text();
      }),
      json: method(function (this: BytesResponse) {
        return this.#text().then((t) => JSON.parse(t) as unknown);
      }),
      arrayBuffer: method(function (this: BytesResponse) {
        return this.#arrayBuffer();
      }),
      bytes: method(function (this: BytesResponse) {
        return this.#arrayBuffer().then((b) => new Uint8Array(b));
      }),
      blob: method(function (this: BytesResponse) {
        return this.#stream().blob();
      }),
      formData: method(function (this: BytesResponse) {
        return this.#stream().formData();
      }),
      clone: method(function (this: BytesResponse) {
        return this.#clone();
      }),
      body: {
        configurable: true,
        get(this: BytesResponse): ReadableStream<Uint8Array> | null {
          return this.#bytes === null ? null : this.#stream().body;
        },
      },
      bodyUsed: {
        configurable: true,
        get(this: BytesResponse): boolean {
          return this.#used || (this.#streamed?.bodyUsed ?? false);
        },
      },
    });
  }
}
