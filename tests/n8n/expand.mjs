// SPDX-License-Identifier: MIT
// node expand.mjs WORKFLOW.json...: each Execute Command node's command
// as n8n evaluates it for execution 42, with n8n-workflow's own
// Expression.resolveSimpleParameterValue (what a node's parameter goes
// through before it runs): one JSON line [node name, command] per node;
// with several files, each line after its file's name and a tab (one node
// start for all: loading n8n-workflow costs most of a second).
// tests/cli/export_n8n.sh compares them with the commands it expects, so
// that no text of a command (a path, a name) is read as an expression.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);	// the CommonJS build (check.mjs)
const { Expression } = require('n8n-workflow');

const expr = new Expression('UTC');
const files = process.argv.slice(2);
for (const file of files) {
	const prefix = files.length > 1 ? `${file}\t` : '';
	for (const node of JSON.parse(readFileSync(file, 'utf8')).nodes) {
		const command = node.parameters?.command;
		if (typeof command !== 'string')
			continue;
		const value = expr.resolveSimpleParameterValue(command, { $execution: { id: '42' } });
		console.log(prefix + JSON.stringify([node.name, value]));
	}
}
