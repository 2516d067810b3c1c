import { describe, expect, it } from 'vitest';
import { needsSearch } from '../../src/search/index.js';

// Fixed clock: "recent year" means 2025 or later here.
const now = new Date('2026-03-01T12:00:00Z');

const shouldSearch: string[] = [
  'What is the latest version of Node.js?',
  "What's in the news today?",
  'Summarize the headlines from this week',
  'What happened in AI this month?',
  'Who is the current CEO of OpenAI?',
  'What is the current price of bitcoin?',
  'Recent developments in fusion energy',
  'What changed in TypeScript v5.7?',
  'Is Python 2 still supported?',
  'Has GTA 6 come out yet?',
  'Who won the 2025 Nobel Prize in physics?',
  'Best laptops of 2026',
  'What is the weather forecast for Berlin tomorrow?',
  'When was React 19 released?',
  'What version of Postgres should I install?',
  'Is the GitHub API down right now?',
  'How much does a Tesla Model 3 cost in Germany?',
  'exchange rate EUR to USD',
  'What are the breaking changes in the changelog for vite 6.0.0?',
  'Which Node versions are end-of-life?',
  'Any news about the Rust Foundation?',
  'Who is the current prime minister of the UK?',
  'Give me an up-to-date list of LLM providers',
  'Election results last week',
];

const shouldNotSearch: string[] = [
  'Write a poem about the sea',
  'Refactor this function to use async/await',
  'Explain recursion to a five-year-old',
  'Translate "good morning" into French',
  'Summarize the following paragraph in two sentences.',
  'What is the difference between TCP and UDP?',
  'Write unit tests for the parseDate helper',
  'Fix this error:\nTraceback (most recent call last):\n  File "main.py", line 3',
  'Now write a haiku about autumn leaves',
  'Rename the variable current to active in this loop',
  'Prove that the square root of 2 is irrational',
  'Describe the causes of World War I',
  'What happened in 1969 on the moon?',
  'Sort this list of names alphabetically',
  'Write a SQL query that counts orders per customer',
  'Give me ten name ideas for a bakery',
  'Convert this JSON to YAML',
  'Explain how a hash map handles collisions',
  'Release the mutex before returning from this function',
  'Draft a polite email declining a meeting',
];

describe('needsSearch (auto mode heuristic)', () => {
  it('has a table of at least 30 prompts', () => {
    expect(shouldSearch.length + shouldNotSearch.length).toBeGreaterThanOrEqual(30);
  });

  it.each(shouldSearch)('searches for: %s', (prompt) => {
    expect(needsSearch(prompt, now)).toBe(true);
  });

  it.each(shouldNotSearch)('does not search for: %s', (prompt) => {
    expect(needsSearch(prompt, now)).toBe(false);
  });

  it('treats older years as not recent', () => {
    expect(needsSearch('Summarize the 2019 annual report', now)).toBe(false);
    expect(needsSearch('Summarize the 2025 annual report', now)).toBe(true);
  });
});
