// SPDX-License-Identifier: MIT
// node check.mjs OPENAPI.json EXCHANGES_DIR
//
// 1. Validates the OpenAPI document with @apidevtools/swagger-parser (the
//    OpenAPI 3.1 schema, and every $ref resolved).
// 2. Checks each exchange of EXCHANGES_DIR against it: N.req ("METHOD
//    /path?query"), N.status, N.headers (as curl -D writes them), N.body.
//    The path must match one of the document's paths and the method one of
//    its operations; the status must be documented for that operation, the
//    Content-Type one of the response's media types, the body valid against
//    that media type's schema (JSON Schema 2020-12, Ajv), each header the
//    response declares `required` present and each declared header of the
//    right type.
// 3. Coverage: every operation of the document and every status it
//    documents was exercised at least once.
// Data-driven: a new path or status in the document needs only new
// requests in the test that writes the exchanges (tests/cli/serve_openapi.sh).
// Prints "ok - ..." / "FAIL - ..." lines and "# P passed, F failed"; exits 1
// on any failure.
import { readFileSync, readdirSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [specPath, exDir] = process.argv.slice(2);
let passed = 0, failed = 0;
const ok = (what) => { passed++; console.log(`ok - ${what}`); };
const fail = (what) => { failed++; console.log(`FAIL - ${what}`); };

const doc = JSON.parse(readFileSync(specPath, 'utf8'));
try {
	await SwaggerParser.validate(structuredClone(doc));
	ok(`${specPath.replace(/.*\/docs\//, 'docs/')} is valid OpenAPI ${doc.openapi} (swagger-parser)`);
} catch (e) {
	fail(`the OpenAPI document is not valid: ${e.message}`);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// "#/components/responses/NotFound" -> the object
const deref = (o) => {
	while (o && o.$ref) {
		o = o.$ref.replace(/^#\//, '').split('/')
			.map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
			.reduce((a, k) => a?.[k], doc);
	}
	return o;
};
// a schema compiled with the document's components beside it, so that its
// "#/components/schemas/..." references resolve
const compiled = new Map();
const validator = (schema) => {
	const key = JSON.stringify(schema);
	if (!compiled.has(key))
		compiled.set(key, ajv.compile({ ...schema, components: doc.components }));
	return compiled.get(key);
};
const templates = Object.keys(doc.paths).map((p) => ({
	path: p,
	re: new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
		.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
}));

const seen = new Set();	// "get /runs/{id} 404"
const files = readdirSync(exDir).filter((f) => f.endsWith('.req'))
	.sort((a, b) => parseInt(a) - parseInt(b));
for (const f of files) {
	const n = f.replace(/\.req$/, '');
	const [method, target] = readFileSync(`${exDir}/${f}`, 'utf8').trim().split(/\s+/);
	const status = readFileSync(`${exDir}/${n}.status`, 'utf8').trim();
	const rawHeaders = readFileSync(`${exDir}/${n}.headers`, 'utf8');
	const body = readFileSync(`${exDir}/${n}.body`, 'utf8');
	const what = `${method} ${target} ${status}`;
	const path = target.split('?')[0];
	const t = templates.find((x) => x.re.test(path));
	const op = t && doc.paths[t.path][method.toLowerCase()];
	if (!op) {
		fail(`${what}: no such operation in the document`);
		continue;
	}
	const resp = deref(op.responses[status] ?? op.responses.default);
	if (!resp) {
		fail(`${what}: status ${status} is not documented for ${method} ${t.path}`);
		continue;
	}
	seen.add(`${method.toLowerCase()} ${t.path} ${status}`);
	// the last response's headers (curl -D writes a 100 Continue's too)
	const headers = {};
	const blocks = rawHeaders.split(/\r?\n\r?\n/).filter((b) => b.trim());
	for (const line of (blocks.at(-1) ?? '').split(/\r?\n/).slice(1)) {
		const i = line.indexOf(':');
		if (i > 0)
			headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	const problems = [];
	for (const [name, h0] of Object.entries(resp.headers ?? {})) {
		const h = deref(h0), v = headers[name.toLowerCase()];
		if (v === undefined) {
			if (h.required)
				problems.push(`no ${name} header`);
			continue;
		}
		const hs = h.schema ? deref(h.schema) : null;
		const val = hs?.type === 'integer' && /^-?\d+$/.test(v) ? Number(v) : v;
		if (hs && !validator(hs)(val))
			problems.push(`header ${name}: '${v}' is not ${JSON.stringify(hs)}`);
	}
	const content = resp.content ?? {};
	const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (!Object.keys(content).length) {
		if (body.length)
			problems.push(`a body, where the document says none`);
	} else if (!content[type]) {
		problems.push(`Content-Type '${type}' is not one of ${Object.keys(content).join(', ')}`);
	} else if (content[type].schema) {
		const schema = deref(content[type].schema);
		let value = body;
		if (/[/+]json$/.test(type)) {
			try {
				value = JSON.parse(body);
			} catch (e) {
				problems.push(`the body is not JSON: ${e.message}`);
			}
		} else if (type === 'application/x-ndjson') {
			for (const line of body.split('\n').filter((l) => l)) {
				try {
					JSON.parse(line);
				} catch (e) {
					problems.push(`a line is not JSON: ${line.slice(0, 80)}`);
					break;
				}
			}
		}
		const v = validator(schema);
		if (!problems.length && !v(value))
			problems.push(ajv.errorsText(v.errors));
	}
	if (problems.length)
		fail(`${what}: ${problems.join('; ')} (body: ${body.slice(0, 200)})`);
	else
		ok(`${what}: matches the document`);
}

// coverage: each operation, each documented status
for (const [p, item] of Object.entries(doc.paths)) {
	for (const m of METHODS.filter((x) => item[x])) {
		const missing = Object.keys(item[m].responses)
			.filter((s) => s !== 'default' && !seen.has(`${m} ${p} ${s}`));
		if (missing.length)
			fail(`${m.toUpperCase()} ${p}: documented statuses never exercised: ${missing.join(', ')}`);
		else
			ok(`${m.toUpperCase()} ${p}: every documented status exercised (${Object.keys(item[m].responses).join(', ')})`);
	}
}
console.log(`# ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
