// Problems the `yaml` parser accepts but a config file must not have, each reported at its own
// position and the same way whichever parser saw the file first:
// - a collection used as a mapping key (`? [a, b]`, `{a: 1}: b`): JavaScript objects cannot hold it,
//   and `yaml` would stringify it with a Node warning on stderr;
// - an alias with no anchor of that name before it (`*nope`);
// - a tag the core schema does not read (`!custom`, `!!binary`, `!!set`).

import type { Document, LineCounter } from 'yaml';
import { yamlSync } from './locate.js';

export interface DocumentProblem {
  offset: number;
  code: string;
  message: string;
  fix: string;
}

/** Tags the loader reads: the core schema's, and `!!merge` for `<<`. */
const readableTags = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:merge']);

const shortTag = (tag: string) => tag.replace(/^tag:yaml\.org,2002:/, '!!');

export function documentProblem(document: Document.Parsed, text: string): DocumentProblem | undefined {
  const yaml = yamlSync();
  let problem: DocumentProblem | undefined;
  const anchors = new Set<string>();
  const found = (next: DocumentProblem) => {
    problem ??= next;
    return yaml.visit.BREAK;
  };
  yaml.visit(document, {
    Pair(_key, pair) {
      if (yaml.isCollection(pair.key)) {
        const offset = pair.key.range?.[0] ?? 0;
        return found({ offset: questionMarkBefore(text, offset), code: 'yaml/complex-key', message: 'a mapping or list is used as a key; keys must be plain strings', fix: 'quote the key, or check the braces and brackets' });
      }
      return undefined;
    },
    Alias(_key, alias) {
      if (!anchors.has(alias.source))
        return found({ offset: alias.range?.[0] ?? 0, code: 'yaml/undefined-alias', message: `alias \`*${alias.source}\` has no anchor \`&${alias.source}\` before it`, fix: `define \`&${alias.source}\` on a value above this line (for example under an \`x-\` key), or fix the name` });
      return undefined;
    },
    Node(_key, node) {
      if (node.anchor) anchors.add(node.anchor);
      const tag = (node as { tag?: string }).tag;
      if (tag !== undefined && !readableTags.has(tag))
        return found({ offset: tagBefore(text, node.range?.[0] ?? 0), code: 'yaml/unsupported-tag', message: `the YAML tag \`${shortTag(tag)}\` is not supported`, fix: 'remove the tag: config values are strings, numbers, booleans, lists and mappings' });
      return undefined;
    },
  });
  return problem;
}

/** A node's range starts after its tag: point at the tag's first `!` instead (on the same line). */
function tagBefore(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let bang = text.lastIndexOf('!', offset);
  if (bang < lineStart) return offset;
  while (bang > lineStart && text[bang - 1] === '!') bang--;
  return bang;
}

/** A `? key` explicit key starts at its `?`. */
function questionMarkBefore(text: string, offset: number): number {
  const before = text.slice(0, offset).replace(/[ \t]+$/, '');
  return before.endsWith('?') ? before.length - 1 : offset;
}

export type { LineCounter };
