// SARIF 2.1.0 for code scanning, valid against the OASIS schema for any file name: URIs are RFC 3986
// percent-encoded relative references under the SRCROOT base (the git root), columns are UTF-16 code
// units (JavaScript string indices, which is how positions are counted), every rule carries a short
// description and help, and a result about a file that does not exist has no location at all.

import type { Diagnostic } from '../../errors.js';
import { ruleDescription } from './rule-docs.js';

export interface SarifOptions {
  version: string;
  /** Project-relative path -> path relative to the git root. */
  toRepoPath: (file: string) => string;
  /** Whether a project-relative file exists (a result about a missing file gets no location). */
  exists: (file: string) => boolean;
}

/** RFC 3986: each path segment percent-encoded (space, `#`, `?`, `%`, `,`, non-ASCII...), `/` kept. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

const helpText = (diagnostic: Diagnostic | undefined, code: string) =>
  diagnostic?.fix ? `${ruleDescription(code)}. For example: ${diagnostic.fix}.` : `${ruleDescription(code)}. Run \`agentpipe lint\` locally for the file and line.`;

export function formatSarif(diagnostics: readonly Diagnostic[], options: SarifOptions): string {
  const ruleIds = [...new Set(diagnostics.map((diagnostic) => diagnostic.code))].sort();
  const rules = ruleIds.map((id) => {
    const first = diagnostics.find((diagnostic) => diagnostic.code === id);
    return {
      id,
      name: id.replace(/[/-](\w)/g, (_, letter: string) => letter.toUpperCase()),
      shortDescription: { text: ruleDescription(id) },
      help: { text: helpText(first, id) },
      defaultConfiguration: { level: first?.severity ?? 'error' },
    };
  });
  const log = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'agentpipe', version: options.version, informationUri: 'https://www.npmjs.com/package/agentpipe', rules } },
        originalUriBaseIds: { SRCROOT: { description: { text: 'The root of the git repository (or of the config repo when it is not in one)' } } },
        columnKind: 'utf16CodeUnits',
        results: diagnostics.map((diagnostic) => ({
          ruleId: diagnostic.code,
          ruleIndex: ruleIds.indexOf(diagnostic.code),
          level: diagnostic.severity,
          message: { text: diagnostic.fix ? `${diagnostic.message} (fix: ${diagnostic.fix})` : diagnostic.message },
          ...(options.exists(diagnostic.file)
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: encodePath(options.toRepoPath(diagnostic.file)), uriBaseId: 'SRCROOT' },
                      region: { startLine: Math.max(1, diagnostic.line), startColumn: Math.max(1, diagnostic.col) },
                    },
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
