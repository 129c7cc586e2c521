// SPDX-License-Identifier: MIT
// node expand.mjs WORKFLOW.json: each Execute Command node's command as
// n8n evaluates it for execution 42, with n8n-workflow's own
// Expression.resolveSimpleParameterValue (what a node's parameter goes
// through before it runs): one JSON line [node name, command] per node.
// tests/cli/export_n8n.sh compares them with the commands it expects, so
// that no text of a command (a path, a name) is read as an expression.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);	// the CommonJS build (check.mjs)
const { Expression } = require('n8n-workflow');

const expr = new Expression('UTC');
for (const node of JSON.parse(readFileSync(process.argv[2], 'utf8')).nodes) {
	const command = node.parameters?.command;
	if (typeof command !== 'string')
		continue;
	const value = expr.resolveSimpleParameterValue(command, { $execution: { id: '42' } });
	console.log(JSON.stringify([node.name, value]));
}
