// An MCP CallToolResult -> the text a model reads. Text parts verbatim; structured content as JSON
// when there is no text; images, audio and embedded resources as a one-line note (the model gets no
// binary); resource links as their URI.

interface ContentPart {
  type: string;
  text?: string;
  mimeType?: string;
  data?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; text?: string; mimeType?: string; blob?: string };
}

export interface McpCallResult {
  content?: ContentPart[];
  structuredContent?: unknown;
  isError?: boolean;
  toolResult?: unknown;
}

export function resultText(result: McpCallResult): string {
  const parts: string[] = [];
  for (const part of result.content ?? []) {
    switch (part.type) {
      case 'text':
        parts.push(part.text ?? '');
        break;
      case 'image':
      case 'audio':
        parts.push(`[${part.type} ${part.mimeType ?? ''}, ${Math.floor(((part.data?.length ?? 0) * 3) / 4)} bytes, not shown]`);
        break;
      case 'resource':
        parts.push(part.resource?.text ?? `[resource ${part.resource?.uri ?? ''} ${part.resource?.mimeType ?? ''}, not shown]`);
        break;
      case 'resource_link':
        parts.push(`[resource link ${part.name ?? ''} ${part.uri ?? ''}]`);
        break;
      default:
        parts.push(`[${part.type} content, not shown]`);
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  if (parts.length === 0 && result.toolResult !== undefined) return JSON.stringify(result.toolResult);
  return parts.join('\n');
}
