// The tag of a container image reference, as parsers.ParseImageName (k8s.io/kubernetes
// pkg/util/parsers, over the docker reference grammar) reports it for imagePullPolicy
// defaulting: a reference without tag and digest is tagged `latest`; a digest-only reference
// has no tag; an unparsable reference has none either.

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** The tag ParseImageName returns for an image: 'latest' when none is given, '' for a
 * digest-only or invalid reference. */
export function imageTag(image: string): string {
  const m = REFERENCE.exec(image);
  if (!m) return '';
  const [, name = '', tag, digest] = m;
  // ParseNormalizedNamed refuses names longer than 255 characters.
  if (name.length > 255) return '';
  if (tag !== undefined) return tag;
  return digest !== undefined ? '' : 'latest';
}
