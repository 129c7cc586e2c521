// SPDX-License-Identifier: MIT
// node check.mjs WORKFLOW.json...: each workflow `cadence export n8n`
// wrote, through n8n's own structure check, safeParseWorkflowStructure of
// the n8n-workflow package (the one n8n's import and API run: nodes with a
// name, type and [x, y] position, unique names and ids, connections whose
// source and target nodes exist).  One line per file, "ok - FILE" or
// "FAIL - FILE: the issues"; exit 1 when any failed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// the package's ESM build imports files without their extension, which
// Node cannot resolve: its CommonJS build is the one that loads
const require = createRequire(import.meta.url);
const { safeParseWorkflowStructure } = require('n8n-workflow');

let failed = 0;
for (const file of process.argv.slice(2)) {
	const r = safeParseWorkflowStructure(JSON.parse(readFileSync(file, 'utf8')));
	if (r.success) {
		console.log(`ok - ${file}`);
	} else {
		failed++;
		const issues = r.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
		console.log(`FAIL - ${file}: ${issues}`);
	}
}
process.exit(failed ? 1 : 0);
