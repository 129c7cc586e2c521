// SPDX-License-Identifier: MIT
// Decodes OTLP/JSON traces as opentelemetry.proto.collector.trace.v1.
// ExportTraceServiceRequest with OpenTelemetry's own protobuf definitions:
// the protobufjs static module @opentelemetry/otlp-transformer generated
// from opentelemetry-proto (package.json says which release, and why).
//
//   node decode.mjs [--summary] [--int64-numbers] FILE|DIR...
//
// FILE: one request per line (cadence run --trace FILE). DIR: one request
// per regular file, the whole file one JSON document (the bodies an HTTP
// receiver saved, read in name order; dot files are left out; a gzip body,
// Content-Encoding: gzip, is unzipped). Each request
// is checked strictly, as OTLP/JSON a sender writes (the OTLP
// specification, "JSON Protobuf Encoding", which is the Protobuf JSON
// mapping with OTLP's deviations):
//   - every key is the lowerCamelCase name of a field of its message (an
//     unknown key, or the proto's snake_case name, is an error: a receiver
//     MUST ignore unknown keys, so a misspelt one would be lost unseen);
//   - traceId/spanId/parentSpanId are hex (either case), 16/8 bytes, not
//     all zero; other bytes fields are base64;
//   - enums are JSON integers (OTLP: "the enum name strings MUST NOT be
//     used") and values of their enum type;
//   - 64-bit integers are decimal strings: the form the Protobuf JSON
//     mapping writes ("encoded as decimal strings"; a reader also accepts
//     numbers, but a number beyond 2^53 loses digits in JSON parsers, so a
//     sender writing numbers is reported: --int64-numbers accepts them, up
//     to 2^53, as the specification lets a reader; OpenTelemetry JS's own
//     JSON serializer writes intValue so); 32-bit integers are JSON numbers
//     in range; null is reported (write nothing for a default);
//   - no empty envelope (OTLP: senders SHOULD NOT send zero spans);
// then protobufjs's verify of the generated code, then the generated
// encoder writes the protobuf binary, the generated decoder reads it back,
// and the result must equal the input field for field.
// Exit status: 0 every request decodes; 1 one does not (each problem on
// stderr as WHERE: JSON.PATH: what is wrong, WHERE being FILE:LINE or
// DIR/FILE); 2 usage (a bad option, no input, an input that cannot be read).
// --summary prints one JSON document on stdout:
//   {"requests": N, "spans": [{request, traceId, spanId, parentSpanId
//    (absent on a root), name, kind, start, end, status: {code, message},
//    attributes: {key: value}, events: [{name, time, attributes}]}],
//    "resources": [{request, attributes, scopes: [{name, version}]}]}
// ids are lowercase hex, times decimal strings of nanoseconds, an intValue
// a number (a decimal string beyond 2^53), status.code 0 when unset.
// The modules come from node_modules beside this file (npm ci here, or a
// copy of this file beside another npm ci of the same lock file).
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const otel = require('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry;
const Long = require('protobufjs/minimal').util.Long;
const Request = otel.proto.collector.trace.v1.ExportTraceServiceRequest;
const utf8 = new TextDecoder('utf-8', { fatal: true });	// a proto string is UTF-8

// ---- the schema, read from the generated code ---------------------------------
// The static module has no reflection: each message's decode() names its
// fields, their proto types (reader.TYPE()) and message types ($root.T.decode),
// and push() marks repeated ones; verify() switches over the enum fields.

const names = new Map();	// generated class -> full proto name
(function walk(ns, prefix) {
	for (const [k, v] of Object.entries(ns)) {
		if (typeof v === 'function' && v.decode) {
			names.set(v, prefix + k);
			walk(v, prefix + k + '.');
		} else if (v && typeof v === 'object' && !Array.isArray(v) && !Object.isFrozen(v)) {
			walk(v, prefix + k + '.');
		}
	}
})(otel, 'opentelemetry.');

function resolve(path) {
	return path.split('.').slice(1).reduce((o, k) => o && o[k], otel);
}

const schemas = new Map();
function schema(Type) {
	let s = schemas.get(Type);
	if (s)
		return s;
	s = { name: names.get(Type), fields: new Map(), oneofs: new Map() };
	schemas.set(Type, s);
	for (const block of Type.decode.toString().split(/case \d+: \{/).slice(1)) {
		const name = /message\.(\w+)/.exec(block)?.[1];
		const msg = /\$root\.([\w.]+)\.decode\(/.exec(block)?.[1];
		const scalar = /(?:push\(|= )reader\.(\w+)\(\)/.exec(block)?.[1];
		if (!name || (!msg && !scalar))
			throw new Error(`${s.name}: cannot read a field of the generated decode()`);
		s.fields.set(name, { name, repeated: /\.push\(/.test(block), type: msg ? 'message' : scalar,
				     Type: msg && resolve(msg) });
	}
	for (const [, name, cases] of Type.verify.toString()
		.matchAll(/switch \(message\.(\w+)(?:\[i\])?\) \{([^}]*)\}/g)) {
		const f = s.fields.get(name);
		f.type = 'enum';
		f.values = [...cases.matchAll(/case (-?\d+):/g)].map((c) => Number(c[1]));
	}
	// a oneof is an accessor on the prototype: it names the member that is set
	for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(Type.prototype))) {
		if (!d.get)
			continue;
		for (const f of s.fields.keys()) {
			const m = new Type({ [f]: true });	// the getter asks only for non-null
			if (m[key] === f)
				s.oneofs.set(f, key);
		}
	}
	// the parse must have found every field the generated class has
	const proto = Object.keys(Type.prototype).filter((k) => typeof Type.prototype[k] !== 'function');
	if (proto.length !== s.fields.size || proto.some((k) => !s.fields.has(k)))
		throw new Error(`${s.name}: the fields of decode() (${[...s.fields.keys()]}) are not the class's (${proto})`);
	return s;
}

// ---- OTLP/JSON -> protobufjs objects --------------------------------------------

const ID_BYTES = { traceId: 16, spanId: 8, parentSpanId: 8 };
const INT32 = { int32: [-(2 ** 31), 2 ** 31 - 1], sint32: [-(2 ** 31), 2 ** 31 - 1],
		sfixed32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1], fixed32: [0, 2 ** 32 - 1],
		enum: [-(2 ** 31), 2 ** 31 - 1] };
const INT64 = { int64: true, sint64: true, sfixed64: true, uint64: false, fixed64: false };
const ENVELOPES = { resourceSpans: 'resource spans', scopeSpans: 'scope spans', spans: 'spans' };

class Bad extends Error {
	constructor(path, what) {
		super(what);
		this.path = path;
	}
}

const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object'
	? 'an object' : typeof v === 'string' ? `the string ${JSON.stringify(v).slice(0, 40)}` : `${typeof v} ${v}`);

function distance(a, b) {
	const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
	for (let j = 1; j <= b.length; j++)
		d[0][j] = j;
	for (let i = 1; i <= a.length; i++)
		for (let j = 1; j <= b.length; j++)
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] !== b[j - 1]));
	return d[a.length][b.length];
}

function unknownKey(s, key) {
	const camel = key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
	if (camel !== key && s.fields.has(camel))
		return `the proto field name; OTLP/JSON keys are lowerCamelCase: write ${camel}`;
	const near = [...s.fields.keys()].filter((f) => distance(f.toLowerCase(), key.toLowerCase()) <= 2);
	return `unknown key: not a field of ${s.name}` +
		(near.length ? ` (did you mean ${near.join(' or ')}?)` : ` (its fields: ${[...s.fields.keys()].join(', ')})`);
}

function hexId(path, field, v) {
	if (typeof v !== 'string')
		throw new Bad(path, `${kind(v)}: an id is a string of hex digits`);
	if (field === 'parentSpanId' && v === '')
		return null;	// no parent: the same as leaving it out
	if (!/^[0-9a-fA-F]*$/.test(v))
		throw new Bad(path, `${JSON.stringify(v)} is not hex: OTLP/JSON writes ids in hex, not base64`);
	const want = ID_BYTES[field];
	if (v.length !== 2 * want)
		throw new Bad(path, `${v.length % 2 ? `${v.length} hex digits` : `${v.length / 2} bytes`}: a ${field} is ${want} bytes (${2 * want} hex digits)`);
	if (/^0+$/.test(v))
		throw new Bad(path, `all zero: an invalid ${field}`);
	return Uint8Array.from(Buffer.from(v, 'hex'));
}

function scalar(path, f, v) {
	if (v === null)
		throw new Bad(path, 'null: leave a field with its default value out');
	if (f.type === 'bytes' && ID_BYTES[f.name])
		return hexId(path, f.name, v);
	if (f.type in INT32) {
		if (typeof v === 'string' && f.type === 'enum')
			throw new Bad(path, `${kind(v)}: OTLP/JSON enums are integers ("the enum name strings MUST NOT be used")`);
		const [lo, hi] = INT32[f.type];
		if (!Number.isInteger(v) || v < lo || v > hi)
			throw new Bad(path, `${kind(v)}: a ${f.type} is a JSON integer from ${lo} to ${hi}`);
		if (f.type === 'enum' && !f.values.includes(v))
			throw new Bad(path, `${v} is not a value of its enum (${f.values.join(', ')})`);
		return v;
	}
	if (f.type in INT64) {
		if (typeof v === 'number' && int64Numbers && Number.isSafeInteger(v) && (v >= 0 || INT64[f.type]))
			v = String(v);
		if (typeof v === 'number')
			throw new Bad(path, `the number ${v}: a 64-bit integer (${f.type}) is written as a decimal string, "${Number.isSafeInteger(v) ? v : '...'}"`);
		const signed = INT64[f.type];
		if (typeof v !== 'string' || !(signed ? /^(0|-?[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)$/).test(v))
			throw new Bad(path, `${kind(v)}: a ${f.type} is a string of decimal digits${signed ? '' : ', not negative'}`);
		const n = BigInt(v), bits = 64n;
		if (signed ? n < -(1n << (bits - 1n)) || n >= 1n << (bits - 1n) : n >= 1n << bits)
			throw new Bad(path, `${v} does not fit a ${f.type}`);
		return Long.fromString(v, !signed);
	}
	switch (f.type) {
	case 'string':
		if (typeof v !== 'string')
			throw new Bad(path, `${kind(v)}: a string is expected`);
		return v;
	case 'bool':
		if (typeof v !== 'boolean')
			throw new Bad(path, `${kind(v)}: true or false is expected`);
		return v;
	case 'double':
	case 'float':
		if (typeof v !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(v))
			throw new Bad(path, `${kind(v)}: a number is expected`);
		return Number(v);
	case 'bytes':
		if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v) || v.replace(/=+$/, '').length % 4 === 1)
			throw new Bad(path, `${kind(v)}: bytes are base64`);
		return Uint8Array.from(Buffer.from(v, 'base64'));
	default:
		throw new Bad(path, `a field of type ${f.type}, which this decoder does not know`);
	}
}

// Returns the protobufjs object of message Type from the OTLP/JSON value v.
function convert(Type, v, path) {
	const s = schema(Type);
	if (v === null || typeof v !== 'object' || Array.isArray(v))
		throw new Bad(path, `${kind(v)}: a ${s.name} is a JSON object`);
	const out = {}, oneof = new Map();
	for (const [key, value] of Object.entries(v)) {
		const at = path ? `${path}.${key}` : key;
		const f = s.fields.get(key);
		if (!f)
			throw new Bad(at, unknownKey(s, key));
		const group = s.oneofs.get(key);
		if (group && oneof.has(group))
			throw new Bad(at, `${oneof.get(group)} is set already: ${group} is one of ${[...s.oneofs.keys()].filter((k) => s.oneofs.get(k) === group).join(', ')}`);
		if (group)
			oneof.set(group, key);
		const one = (x, p) => (f.type === 'message' ? convert(f.Type, x, p) : scalar(p, f, x));
		if (f.repeated) {
			if (!Array.isArray(value))
				throw new Bad(at, `${kind(value)}: a repeated field is a JSON array`);
			if (ENVELOPES[key] && !value.length)
				throw new Bad(at, `no ${ENVELOPES[key]}: OTLP senders SHOULD NOT send empty envelopes`);
			out[key] = value.map((x, i) => one(x, `${at}[${i}]`));
		} else {
			const x = one(value, at);
			if (x !== null)
				out[key] = x;
		}
	}
	for (const key of Object.keys(ENVELOPES))
		if (s.fields.get(key)?.repeated && !(key in v))
			throw new Bad(path ? `${path}.${key}` : key, `missing: no ${ENVELOPES[key]} (OTLP senders SHOULD NOT send empty envelopes)`);
	return out;
}

// ---- protobufjs objects -> OTLP/JSON, to compare the round trip ---------------

function render(Type, m) {
	const s = schema(Type), out = {};
	for (const f of s.fields.values()) {
		if (!Object.hasOwn(m, f.name) || m[f.name] === null || (f.repeated && !m[f.name].length))
			continue;
		const one = (x) => (f.type === 'message' ? render(f.Type, x)
			: f.type === 'bytes' ? Buffer.from(x).toString(ID_BYTES[f.name] ? 'hex' : 'base64')
			: f.type in INT64 ? Long.fromValue(x).toString() : x);
		out[f.name] = f.repeated ? m[f.name].map(one) : one(m[f.name]);
	}
	return out;
}

// The canonical form of the input: empty arrays left out (the wire has no
// empty repeated field), ids lowercase, base64 as Node writes it.
function canon(Type, v) {
	const s = schema(Type), out = {};
	for (const [key, value] of Object.entries(v)) {
		const f = s.fields.get(key);
		if ((f.repeated && !value.length) || (key === 'parentSpanId' && value === ''))
			continue;
		const one = (x) => (f.type === 'message' ? canon(f.Type, x)
			: f.type === 'bytes' ? (ID_BYTES[key] ? x.toLowerCase() : Buffer.from(x, 'base64').toString('base64'))
			: f.type === 'double' || f.type === 'float' ? Number(x)
			: f.type in INT64 ? String(x) : x);
		out[key] = f.repeated ? value.map(one) : one(value);
	}
	return out;
}

function differ(a, b, path) {
	if (Object.is(a, b))
		return null;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null ||
	    Array.isArray(a) !== Array.isArray(b))
		return `${path}: ${JSON.stringify(a)} came back as ${JSON.stringify(b)}`;
	for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
		const d = differ(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
		if (d)
			return d;
	}
	return null;
}

// One request: the decoded message, or a Bad.
function decodeRequest(json) {
	const obj = convert(Request, json, '');
	const why = Request.verify(obj);
	if (why)
		throw new Bad('', `protobufjs verify: ${why}`);
	const bytes = Request.encode(Request.fromObject(obj)).finish();
	const back = Request.decode(bytes);
	const d = differ(canon(Request, json), render(Request, back), '');
	if (d)
		throw new Bad('', `the protobuf round trip changed it: ${d}`);
	return back;
}

// ---- the summary ---------------------------------------------------------------

function value(v) {
	if (!v)
		return null;
	const r = render(otel.proto.common.v1.AnyValue, v);
	const [k, x] = Object.entries(r)[0] ?? [];
	if (k === 'intValue')
		return Number.isSafeInteger(Number(x)) ? Number(x) : x;
	if (k === 'arrayValue')
		return (v.arrayValue.values ?? []).map(value);
	if (k === 'kvlistValue')
		return attributes(v.kvlistValue.values);
	return x ?? null;
}

function attributes(list) {
	return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

function summarize(sum, request, msg) {
	const hex = (b) => Buffer.from(b).toString('hex');
	const time = (t) => Long.fromValue(t ?? 0).toUnsigned().toString();
	for (const rs of msg.resourceSpans) {
		sum.resources.push({ request, attributes: attributes(rs.resource?.attributes),
				     scopes: rs.scopeSpans.map((ss) => ({ name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' })) });
		for (const ss of rs.scopeSpans)
			for (const sp of ss.spans) {
				const span = { request, traceId: hex(sp.traceId), spanId: hex(sp.spanId) };
				if (sp.parentSpanId?.length)
					span.parentSpanId = hex(sp.parentSpanId);
				Object.assign(span, { name: sp.name, kind: sp.kind ?? 0, start: time(sp.startTimeUnixNano),
						      end: time(sp.endTimeUnixNano),
						      status: { code: sp.status?.code ?? 0, message: sp.status?.message ?? '' },
						      attributes: attributes(sp.attributes),
						      events: (sp.events ?? []).map((e) => ({ name: e.name, time: time(e.timeUnixNano),
											      attributes: attributes(e.attributes) })) });
				sum.spans.push(span);
			}
	}
}

// ---- the command ---------------------------------------------------------------

function usage(msg) {
	if (msg)
		process.stderr.write(`decode.mjs: ${msg}\n`);
	process.stderr.write('usage: node decode.mjs [--summary] [--int64-numbers] FILE|DIR...\n' +
		'  FILE: one OTLP/JSON ExportTraceServiceRequest per line (cadence run --trace)\n' +
		'  DIR: one request per file (the bodies an OTLP/HTTP receiver saved)\n' +
		'  --summary: the spans and resources as one JSON document on stdout\n' +
		'  --int64-numbers: accept 64-bit integers written as JSON numbers\n');
	process.exit(2);
}

// [where, text] of each request in an input
function requests(input) {
	let st;
	try {
		st = statSync(input);
	} catch (e) {
		usage(`cannot read ${input}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
	}
	if (st.isDirectory()) {
		return readdirSync(input).filter((n) => !n.startsWith('.')).sort()
			.map((n) => join(input, n)).filter((p) => statSync(p).isFile())
			.map((p) => [p, readFileSync(p)]);
	}
	// lines as bytes: the UTF-8 check is each line's, to name it
	const all = readFileSync(input), lines = [];
	for (let at = 0; at < all.length;) {
		const nl = all.indexOf(10, at);
		lines.push(all.subarray(at, nl < 0 ? all.length : nl));
		at = nl < 0 ? all.length : nl + 1;
	}
	return lines.map((l, i) => [`${input}:${i + 1}`, l]);
}

const args = process.argv.slice(2), opts = new Set();
const known = ['--summary', '--int64-numbers'];
while (args.length && args[0].startsWith('-')) {
	const a = args.shift();
	if (a === '--help' || a === '-h')
		usage();
	if (!known.includes(a))
		usage(`unknown option ${a} (${known.filter((k) => distance(k, a) <= 2).map((k) => `did you mean ${k}? `).join('')}options: ${known.join(', ')})`);
	opts.add(a);
}
const summary = opts.has('--summary'), int64Numbers = opts.has('--int64-numbers');
const late = args.find((a) => a.startsWith('-'));
if (late)
	usage(`${late}: ${known.includes(late) ? 'options come before the inputs' : 'unknown option'}`);
if (!args.length)
	usage('no input: name a --trace file or a directory of request bodies');

const sum = { requests: 0, spans: [], resources: [] };
let errors = 0;
for (const input of args) {
	const list = requests(input);
	if (!list.length) {
		process.stderr.write(`${input}: no ExportTraceServiceRequest in it\n`);
		errors++;
	}
	for (const [where, text] of list) {
		let json, step = 'gzip';
		try {
			const body = text[0] === 0x1f && text[1] === 0x8b ? gunzipSync(text) : text;
			step = 'UTF-8';
			const str = utf8.decode(body);
			step = 'JSON';
			json = JSON.parse(str);
		} catch (e) {
			process.stderr.write(`${where}: not ${step}: ${e.message}\n`);
			errors++;
			continue;
		}
		try {
			summarize(sum, sum.requests, decodeRequest(json));
			sum.requests++;
		} catch (e) {
			if (!(e instanceof Bad))
				throw e;
			process.stderr.write(`${where}: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
			errors++;
		}
	}
}
if (errors)
	process.exit(1);
if (summary)
	process.stdout.write(JSON.stringify(sum) + '\n');
