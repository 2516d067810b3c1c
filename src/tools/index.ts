// Public surface of src/tools for the compile and run stages.

export { AuditLog, type AuditDecision, type AuditRecord } from './audit.js';
export { executeToolCall, type ToolCallContext } from './execute.js';
export {
  authorizePath,
  checkCommand,
  checkHost,
  checkPathRules,
  envFilePatterns,
  narrowPermissions,
  type PermissionsOverride,
  type PermissionViolation,
} from './permissions.js';
export { isSecretEnvName, redactSecrets, redactValue } from './redact.js';
export { builtinTools, resolveTool, toolDefinitions } from './registry.js';
export { ToolDeniedError, ToolFailedError, type WebSearchHandler, type WebSearchInput } from './types.js';
