/**
 * `node:stream/web`, loaded on first use: the bench's "stream/web on first use" variant aliases
 * the module to this one. middy's core imports ReadableStream for streamed responses only, which
 * this service never sends, so the first request never touches it.
 */
// Not an import, so the alias does not point it back at this module.
const streamWeb = () => process.getBuiltinModule('node:stream/web');

export = {
  get ReadableStream() {
    return streamWeb().ReadableStream;
  },
};
