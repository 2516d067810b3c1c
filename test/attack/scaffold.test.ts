// The attack corpus under the `agentpipe init` scaffold and its code-reviewer agent.

import { describeCorpus } from './corpus.js';

describeCorpus('scaffold');
