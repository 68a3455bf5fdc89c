import { MintError } from '../errors';

/** The largest request body we read, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Refuses a body larger than MAX_BODY_BYTES before anything parses it.
 * @throws MintError BODY_TOO_LARGE (413), or INVALID_REQUEST (400) for a body object too deep to measure.
 */
export function assertBodySize(body: unknown, isBase64Encoded: boolean): void {
  let bytes = 0;
  if (typeof body === 'string') {
    bytes = Buffer.byteLength(body, isBase64Encoded ? 'base64' : 'utf8');
  } else if (body !== undefined && body !== null) {
    bytes = Buffer.byteLength(serialise(body), 'utf8');
  }
  if (bytes > MAX_BODY_BYTES) {
    throw new MintError('BODY_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
}

/** True for `application/json` and `application/<anything>+json`, in any case, with parameters. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([^;\s]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

/** True for `application/x-www-form-urlencoded`, in any case, with parameters (RFC 9110: media types are case-insensitive). */
export function isFormMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType.trim());
}

/**
 * An HTML form's fields (application/x-www-form-urlencoded), each by its name: a string, or every
 * value in order when the name came more than once. No prototype: a field named "__proto__" or
 * "constructor" is a field like any other.
 */
export type FormFields = Readonly<Record<string, string | readonly string[]>>;

/** The most fields a form may have: node:querystring, which reads it, silently drops any past 1000. */
export const MAX_FORM_FIELDS = 1000;

/**
 * A direct invoke's form given as an object: each field a string, or an array of strings for a
 * field given more than once, as a parsed form would have it.
 * @throws MintError INVALID_REQUEST for anything else.
 */
export function directFormFields(body: unknown): FormFields {
  if (body === undefined || body === null) return Object.create(null) as FormFields;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new MintError('INVALID_REQUEST', 'The request body must be a form: an object of string fields, or its urlencoded text.');
  }
  const fields: Record<string, string | readonly string[]> = Object.create(null);
  for (const [name, value] of Object.entries(body)) {
    const isStrings = Array.isArray(value) && value.every((entry) => typeof entry === 'string');
    if (typeof value !== 'string' && !isStrings) {
      throw new MintError('INVALID_REQUEST', 'Every field of the form must be a string.');
    }
    fields[name] = isStrings ? [...(value as string[])] : (value as string);
  }
  return fields;
}

/**
 * Parses a direct-invoke body, which may be the JSON object itself or a JSON string.
 * @throws MintError MALFORMED_JSON (400).
 */
export function parseDirectBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw new MintError('MALFORMED_JSON', 'The request body is not valid JSON.');
  }
}

/**
 * A direct-invoke body object as JSON text, to measure it.
 * @throws MintError INVALID_REQUEST (400) when it is nested too deep to serialise: JSON.stringify
 * recurses and overflows the stack at a few thousand levels, which must not surface as a 500.
 */
function serialise(body: unknown): string {
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    throw new MintError('INVALID_REQUEST', 'The request body is nested too deeply to read.');
  }
}
