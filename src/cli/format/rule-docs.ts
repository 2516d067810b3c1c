// One line per diagnostic code, for SARIF rule metadata (`shortDescription`, `help`): what the rule
// checks, said once. Codes not listed get a description from their family, so a new code never
// produces a rule without text.

const descriptions: Record<string, string> = {
  'env/unset': 'An environment variable the config uses is not set',
  'load/encoding': 'A config file is not valid UTF-8',
  'load/missing-file': 'A file every config repo needs is missing',
  'load/no-project': 'No providers.yaml was found in this folder or any folder above it',
  'load/not-text': 'A config file is binary, not text',
  'load/stray-file': 'A YAML file sits where agentpipe reads config but is not part of it',
  'load/symlink': 'A symbolic link points outside the project',
  'load/too-large': 'A config file is larger than agentpipe reads',
  'load/unreadable': 'A config file cannot be read',
  'permissions/widen': 'An agent asks for a permission its defaults do not grant',
  'ref/agent': 'A reference to an agent that does not exist',
  'ref/cycle': 'Steps that need each other in a cycle',
  'ref/for-each': 'A for_each that does not name a list',
  'ref/input': 'A reference to an input that is not declared',
  'ref/layer': 'A reference to a prompt layer that does not exist',
  'ref/model': 'A reference to a model that is not configured',
  'ref/name': 'A name that does not match its file',
  'ref/partial-cycle': 'Prompt layers that include each other in a cycle',
  'ref/provider': 'A reference to a provider that is not configured',
  'ref/route': 'A reference to a route that is not configured',
  'ref/step': 'A reference to a step that does not exist',
  'ref/tool': 'A reference to a tool that is not in tools.yaml',
  'ref/workspace': 'A workspace path outside the project',
  'schema/missing-price': 'A model without a price',
  'schema/required': 'A required key is missing',
  'schema/tool': 'A tool definition the schema refuses',
  'schema/unknown-key': 'A key the schema does not know',
  'schema/version': 'A missing or unsupported version',
  'secrets/literal': 'A secret written into a config file',
  'style/schema-comment': 'A file without the yaml-language-server schema comment editors use',
  'template/helper': 'An unknown template helper',
  'template/partial': 'An unknown template partial',
  'template/syntax': 'A template that does not parse',
  'template/unknown-variable': 'A template variable that nothing provides',
  'template/variable': 'A template variable used where it is not available',
  'tools/description': 'A tool without a usable description',
  'tools/dropped-keyword': 'A tool schema keyword a vendor drops',
  'tools/kind': 'A tool of an unknown kind',
  'tools/name': 'A tool name longer than a vendor accepts',
  'tools/parameters': 'Tool parameters that are not a valid JSON Schema',
  'tools/provider': 'A tool schema keyword a vendor drops',
  'yaml/alias-bomb': 'A YAML alias that expands past the size limit',
  'yaml/complex-key': 'A YAML mapping key that is not a plain string',
  'yaml/duplicate-key': 'A key given twice in one mapping',
  'yaml/empty': 'An empty YAML file',
  'yaml/multiple-documents': 'More than one YAML document in a file',
  'yaml/not-mapping': 'A YAML file whose top level is not a mapping',
  'yaml/syntax': 'YAML that does not parse',
  'yaml/tab-indent': 'YAML indented with tabs',
  'yaml/too-deep': 'YAML nested too deeply to parse',
  'yaml/undefined-alias': 'A YAML alias with no anchor of that name',
  'yaml/unquoted-template': 'A template value that YAML reads as a mapping',
  'yaml/unsupported-tag': 'A YAML tag agentpipe does not read',
};

const families: Record<string, string> = {
  env: 'Environment variables',
  load: 'Reading the config files',
  permissions: 'Tool permissions',
  ref: 'References between config files',
  schema: 'The config JSON Schemas',
  secrets: 'Secrets in config files',
  style: 'Config file conventions',
  template: 'Prompt templates',
  tools: 'Tool definitions',
  yaml: 'YAML syntax',
};

export function ruleDescription(code: string): string {
  const known = descriptions[code];
  if (known) return known;
  const [family = code, rest = ''] = code.split('/');
  return `${families[family] ?? family}: ${rest.replaceAll('-', ' ')}`.replace(/: $/, '');
}
