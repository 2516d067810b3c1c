export { startSimulator, type Simulator, type SimulatorOptions } from './server.js';
export type { FaultKind, Script, ScriptFile, ScriptFunction, SimApi, SimFault, SimRequest, SimToolCall, SimTurn, SimUsage } from './script.js';
export { simThoughtSignature } from './wire/gemini.js';
export { simulatedEmbedding, defaultEmbeddingDimensions } from './embedder.js';
