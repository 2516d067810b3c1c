// The EmbeddingModel adapters on the official SDKs against the simulator's embeddings endpoints,
// and embedding through the chain (batching, retry, fallback).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, simulatedEmbedding, type Simulator } from '../../src/sim/index.js';
import { embedWithChain, batches } from '../../src/providers/embed-chain.js';
import { ModelCache } from '../../src/providers/model-cache.js';
import { chainOf, keyEnv, modelSpec, providerCases } from '../providers/helpers.js';
import { ChainError } from '../../src/providers/errors.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ embeddingDimensions: 64 });
});
afterAll(() => sim.close());

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const embeddable = providerCases.filter((testCase) => testCase.type !== 'anthropic');
const noSleep = { sleep: async () => {}, random: () => 0 };

describe('embedding adapters', () => {
  for (const testCase of embeddable) {
    it(`${testCase.type}: embeds a batch in order with usage, through the official SDK`, async () => {
      sim.reset();
      const spec = modelSpec({ ...testCase, model: 'embed-small' }, sim);
      const values = ['refund policy for annual plans', 'how to rotate an API key', 'refunds on annual plans'];
      const { embeddings, charges } = await embedWithChain(chainOf([spec]), values, { emit: () => {}, models: new ModelCache(keyEnv()), ...noSleep });
      expect(embeddings).toHaveLength(3);
      expect(embeddings[0]!.length).toBe(64);
      expect(embeddings[1]![5]).toBeCloseTo(simulatedEmbedding(values[1]!, 64)[5]!, 5);
      // Texts sharing words are closer than texts that share none.
      expect(cosine(embeddings[0]!, embeddings[2]!)).toBeGreaterThan(cosine(embeddings[0]!, embeddings[1]!) + 0.2);
      expect(charges[0]!.usage.inputTokens).toBeGreaterThan(0);
      const request = sim.requests.find((entry) => entry.kind === 'embeddings');
      expect(request?.inputs).toBe(3);
      expect(request?.headers['authorization'] ?? request?.headers['x-goog-api-key']).toBeUndefined();
    });
  }

  it('anthropic has no embeddings API: an invalid_request, no fallback', async () => {
    const anthropic = modelSpec(providerCases[0]!, sim);
    await expect(embedWithChain(chainOf([anthropic]), ['x'], { emit: () => {}, models: new ModelCache(keyEnv()), ...noSleep })).rejects.toThrow(/no embeddings API/);
  });

  it('retries a 429 and falls back to the next model on a 500, charging the model that answered', async () => {
    sim.reset();
    const first = modelSpec({ ...providerCases[1]!, model: 'embed-a' }, sim);
    const second = modelSpec({ ...providerCases[3]!, model: 'embed-b' }, sim);
    sim.addFault({ kind: 'rate-limit', model: 'embed-a', times: 1 });
    sim.addFault({ kind: 'server-error', model: 'embed-a', times: 5 });
    const events: string[] = [];
    const { charges } = await embedWithChain(chainOf([first, second]), ['one text'], { emit: (event) => events.push(event.type), models: new ModelCache(keyEnv()), ...noSleep });
    expect(charges[0]!.model.ref.id).toBe(second.ref.id);
    expect(events).toContain('model-retry');
    expect(events).toContain('model-fallback');
  });

  it('fails with every attempt listed when no model answers', async () => {
    sim.reset();
    const only = modelSpec({ ...providerCases[1]!, model: 'embed-down' }, sim);
    sim.addFault({ kind: 'server-error', model: 'embed-down' });
    const error = await embedWithChain(chainOf([only]), ['x'], { emit: () => {}, models: new ModelCache(keyEnv()), ...noSleep }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainError);
    expect((error as ChainError).attempts).toHaveLength(2);
    sim.setFault(undefined);
  });

  it('cuts values into batches by count and by characters', () => {
    expect(batches(['a', 'b', 'c'], 2).map((batch) => batch.length)).toEqual([2, 1]);
    expect(batches(['aaaa', 'bbbb', 'cc'], 10, 6).map((batch) => batch.join(''))).toEqual(['aaaa', 'bbbbcc']);
    // Big batches are split: 5 values of the openai limit 2048 make one request, 3 gemini batches of 100 for 250.
  });

  it('gemini sends batches of at most 100', async () => {
    sim.reset();
    const spec = modelSpec({ ...providerCases[2]!, model: 'text-embedding-004' }, sim);
    const values = Array.from({ length: 250 }, (_, index) => `document number ${index}`);
    const { embeddings } = await embedWithChain(chainOf([spec]), values, { emit: () => {}, models: new ModelCache(keyEnv()), ...noSleep });
    expect(embeddings).toHaveLength(250);
    expect(sim.requests.filter((entry) => entry.kind === 'embeddings').map((entry) => entry.inputs)).toEqual([100, 100, 50]);
  });
});
