/**
 * Which Engine API requests write or remove image tags, and which tags they
 * name, read from the method, the route path (decoded and without the API
 * version, as routes.ts's routePath gives it) and the query, the way the
 * daemon's image and build routers read them.
 */
import { field, isObject, parseFirstJsonValue } from './json.js';
import { normalizedTag, parseNormalizedNamed, repoTagName } from './image-refs.js';

export type ImageRequest =
  /** Writes (creates or overwrites) these normalized tags: build -t, image tag, commit, import. */
  | { kind: 'write'; verb: string; tags: string[] }
  /** A pull: the registry's content for these names (empty: every tag of the repository, `pull -a`). */
  | { kind: 'pull'; image: string; tag: string }
  /** docker load: the archive names its tags (load-archive.ts). */
  | { kind: 'load' }
  /** DELETE /images/{ref}: an untag, or a removal by ID. */
  | { kind: 'remove'; ref: string; force: boolean }
  /** A tag parameter the daemon will refuse anyway; strict answers for it, as the proxy cannot check it. */
  | { kind: 'unreadable'; verb: string; text: string };

/** httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true. */
export function boolValue(query: URLSearchParams, name: string): boolean {
  return !['', '0', 'no', 'false', 'none'].includes((query.get(name) ?? '').trim().toLowerCase());
}

/** A write of repo/tag parameters (image tag, commit, import); no repo: no tag written. */
function repoTagWrite(verb: string, repo: string, tag: string): ImageRequest | undefined {
  if (repo === '') return undefined;
  const name = repoTagName(repo, tag);
  return name === undefined ? { kind: 'unreadable', verb, text: tag === '' ? repo : `${repo} (tag ${tag})` } : { kind: 'write', verb, tags: [name] };
}

/** The names a BuildKit `outputs` parameter gives its image exporter (attribute `name`, comma-separated). */
function outputNames(outputs: string): string[] | undefined {
  if (outputs === '') return [];
  const parsed = parseFirstJsonValue(outputs)?.value;
  if (!Array.isArray(parsed)) return undefined;
  const names: string[] = [];
  for (const output of parsed) {
    const attrs = isObject(output) ? field(output, 'Attrs') : undefined;
    const name = isObject(attrs) ? attrs.name : undefined;
    if (typeof name === 'string') names.push(...name.split(',').filter((part) => part !== ''));
  }
  return names;
}

/** POST /build: every non-empty `t` (sanitizeRepoAndTags), and the exporter names of `outputs`. */
function buildWrite(query: URLSearchParams): ImageRequest {
  const names = [...query.getAll('t').filter((name) => name !== '')];
  const exported = outputNames(query.get('outputs') ?? '');
  if (exported === undefined) return { kind: 'unreadable', verb: 'building', text: `outputs ${query.get('outputs')}` };
  const tags: string[] = [];
  for (const name of [...names, ...exported]) {
    const ref = parseNormalizedNamed(name);
    const tag = ref && ref.digest === undefined ? normalizedTag(name) : undefined;
    if (tag === undefined) return { kind: 'unreadable', verb: 'building', text: name };
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { kind: 'write', verb: 'building', tags };
}

/** What an image request does to tags; undefined for the requests that touch none (reads, push, search, ...). */
export function imageRequest(method: string, path: string, query: URLSearchParams): ImageRequest | undefined {
  const verb = method.toUpperCase();
  let match: RegExpExecArray | null;
  if (verb === 'DELETE' && (match = /^\/images\/(.+)$/.exec(path))) return { kind: 'remove', ref: match[1]!, force: boolValue(query, 'force') };
  if (verb !== 'POST') return undefined;
  if (path === '/build') return buildWrite(query);
  if (path === '/images/load') return { kind: 'load' };
  if (path === '/commit') return repoTagWrite('committing', query.get('repo') ?? '', query.get('tag') ?? '');
  if (path === '/images/create') {
    // fromImage set: a pull (fromSrc is then ignored); otherwise an import from fromSrc.
    const image = query.get('fromImage') ?? '';
    if (image !== '') return { kind: 'pull', image, tag: query.get('tag') ?? '' };
    // An import from a URL is downloaded by the daemon, from the host's network: only the body (fromSrc=-) may be imported.
    if ((query.get('fromSrc') ?? '-') !== '-') return { kind: 'unreadable', verb: 'importing from', text: `${query.get('fromSrc')} (the daemon would download it from the host's network; send the archive as the body)` };
    return repoTagWrite('importing', query.get('repo') ?? '', query.get('tag') ?? '');
  }
  // The route is /images/{name:.*}/tag: the name is everything before the last /tag.
  if ((match = /^\/images\/(.+)\/tag$/.exec(path))) return repoTagWrite('tagging', query.get('repo') ?? '', query.get('tag') ?? '');
  return undefined;
}
