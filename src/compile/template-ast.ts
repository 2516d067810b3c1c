// Compile reads templates with the shared scanner, src/prompt-language/scan.ts (the one lint uses);
// these names are kept for the compile, render and estimate modules that import them from here.

export { loadHandlebars, scanTemplate as analyzeTemplate, type TemplateScan as TemplateAnalysis } from '../prompt-language/scan.js';
export { promptHelperNames } from '../prompt-language/helpers.js';
