/**
 * Image references as the daemon reads them (distribution/reference:
 * ParseNormalizedNamed, TagNameOnly, ParseAnyReference; moby's GetImage and
 * isImageIDPrefix), so the proxy checks the very tag the daemon will write
 * or remove: `alpine` is docker.io/library/alpine:latest.
 */

/** A named reference, normalized: `domain/path`, with a tag, a digest, or both. */
export interface NamedReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

// The grammar of distribution/reference's regexp.go, anchored as Parse uses it.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** The digest algorithms the daemon has registered, by the length of their hex encoding. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
/** distribution's NameTotalLengthMax; the daemon's older copy counts the domain too, the stricter reading. */
const NAME_MAX = 255;

/** go-digest's Parse: a registered algorithm and its exact lower-case hex encoding. */
export function isDigest(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon <= 0) return false;
  const length = DIGEST_HEX_LENGTH[text.slice(0, colon)];
  return length !== undefined && new RegExp(`^[a-f0-9]{${length}}$`).test(text.slice(colon + 1));
}

/** reference.Parse of a string that already has its domain. */
function parse(text: string): NamedReference | undefined {
  const match = REFERENCE.exec(text);
  if (!match || match[1]!.length > NAME_MAX) return undefined;
  const name = ANCHORED_NAME.exec(match[1]!);
  if (!name || !name[1]) return undefined;
  if (match[3] !== undefined && !isDigest(match[3])) return undefined;
  return { domain: name[1], path: name[2]!, ...(match[2] !== undefined ? { tag: match[2] } : {}), ...(match[3] !== undefined ? { digest: match[3] } : {}) };
}

/** splitDockerDomain: `ubuntu` is on docker.io under library/; a first part with '.', ':' or upper case, or localhost, is a domain. */
function splitDockerDomain(text: string): { domain: string; remainder: string } {
  const slash = text.indexOf('/');
  let domain = 'docker.io';
  let remainder = text;
  if (slash >= 0) {
    const first = text.slice(0, slash);
    if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
      domain = first === 'index.docker.io' ? 'docker.io' : first;
      remainder = text.slice(slash + 1);
    }
  }
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** ParseNormalizedNamed: a familiar name made canonical; undefined where the daemon refuses it (64 hex, upper case, bad syntax). */
export function parseNormalizedNamed(text: string): NamedReference | undefined {
  if (IDENTIFIER.test(text)) return undefined;
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) return undefined;
  return parse(`${domain}/${remainder}`);
}

/** TagNameOnly: a name without tag or digest gets `latest`. */
export function tagNameOnly(ref: NamedReference): NamedReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** The repository: `docker.io/library/alpine`. */
export function repositoryOf(ref: NamedReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `docker.io/library/alpine:latest`, `…@sha256:…`. */
export function referenceString(ref: NamedReference): string {
  return `${repositoryOf(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** A name as the daemon tags it (ParseNormalizedNamed, then TagNameOnly), canonical; undefined when it is not one. */
export function normalizedTag(text: string): string | undefined {
  const ref = parseNormalizedNamed(text);
  return ref && referenceString(tagNameOnly(ref));
}

/**
 * The tag a repo and tag parameter pair writes (image tag, commit, import):
 * `repo` normalized, with `tag` replacing its tag when given. Undefined when
 * the daemon would refuse it, also for a digest reference without a tag (it
 * refuses to tag one).
 */
export function repoTagName(repo: string, tag: string): string | undefined {
  const ref = parseNormalizedNamed(repo);
  if (!ref) return undefined;
  if (tag !== '') return ANCHORED_TAG.test(tag) ? `${repositoryOf(ref)}:${tag}` : undefined;
  return ref.digest === undefined ? referenceString(tagNameOnly(ref)) : undefined;
}

/** Whether a reference is a tag (no digest): only tags can be overwritten. */
export function isTagReference(text: string): boolean {
  const ref = parseNormalizedNamed(text);
  return ref !== undefined && ref.digest === undefined;
}

/**
 * How the daemon's GetImage may resolve `text`: a full ID (`sha256:<hex>` or
 * 64 hex), or a name looked up first as the normalized tag and then, when
 * there is none, as an ID prefix (so `abc123` is either). Undefined when the
 * daemon refuses the string (upper case, bad syntax).
 */
export type ImageLookupTerm = { kind: 'id'; id: string } | { kind: 'name'; ref: NamedReference; mayBeIdPrefix: boolean };

export function lookupTerm(text: string): ImageLookupTerm | undefined {
  if (IDENTIFIER.test(text)) return { kind: 'id', id: `sha256:${text}` };
  if (isDigest(text)) return { kind: 'id', id: text };
  const ref = parseNormalizedNamed(text);
  // The ID search (digestset.Lookup) takes hex, with or without "algorithm:".
  return ref && { kind: 'name', ref, mayBeIdPrefix: /^(?:[a-z0-9]+:)?[a-f0-9]+$/.test(text) };
}

/** moby's isImageIDPrefix: which DELETE /images/{ref} removes by ID (every reference) rather than untags `ref`. */
export function isImageIdPrefix(imageId: string, possiblePrefix: string): boolean {
  if (imageId.startsWith(possiblePrefix)) return true;
  const colon = imageId.indexOf(':');
  return colon >= 0 && imageId.slice(colon + 1).startsWith(possiblePrefix);
}
