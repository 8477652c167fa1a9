#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate dataplane/kafka/kafka_schema.[ch] from the Apache Kafka message specs.

Usage: gen-kafka-schema.py [SPEC_DIR] [OUT_DIR]

SPEC_DIR holds the upstream message/*.json files (default: ../shared/kafka-spec/message relative
to the repository root); OUT_DIR defaults to dataplane/kafka of this repository. The output is
deterministic: the same specs always give the same bytes. The build never runs this script; the
generated files are committed.

Each message becomes a "field program": a flat, const array of field descriptors in which a
struct (or array of structs) points at the index range of its own fields. Identical field lists
(common structs, repeated shapes, empty bodies) are stored once.
"""

import json
import os
import re
import sys

SCRIPT = "scripts/gen-kafka-schema.py"
VER_OPEN = 0xFF  # "N+" upper bound, and "none" lower bound
FF_ARRAY = 0x01
FF_EXTRACT = 0x02
FF_PART_NEXT = 0x04

PRIMS = {
	"int8": "INT8", "int16": "INT16", "uint16": "UINT16", "int32": "INT32",
	"uint32": "UINT32", "int64": "INT64", "float64": "FLOAT64", "bool": "BOOL",
	"uuid": "UUID", "string": "STRING", "bytes": "BYTES", "records": "RECORDS",
}
TYPES = ["INT8", "INT16", "UINT16", "INT32", "UINT32", "INT64", "FLOAT64", "BOOL", "UUID",
	 "STRING", "BYTES", "RECORDS", "STRUCT", "SKIP"]
WIDTH = {"INT8": 1, "INT16": 2, "UINT16": 2, "INT32": 4, "UINT32": 4, "INT64": 8, "FLOAT64": 8,
	 "BOOL": 1, "UUID": 16}
NOT_FIXED = 0xFFFF  # step size: the elements of this array of structs have no fixed size
SEMS = [
	("NONE", "nothing to extract"),
	("TOPIC_NAME", "entityType topicName"),
	("TOPIC_ID", "uuid TopicId"),
	("PARTITION", "int32 PartitionIndex, Partition, PartitionId or Index"),
	("ERROR_CODE", "int16 ErrorCode"),
	("THROTTLE", "int32 ThrottleTimeMs"),
	("GROUP_ID", "entityType groupId"),
	("TXN_ID", "entityType transactionalId"),
	("PRODUCER_ID", "entityType producerId"),
	("BROKER_ID", "entityType brokerId"),
	("HIGH_WATERMARK", "int64 HighWatermark"),
	("COMMITTED_OFFSET", "int64 CommittedOffset"),
	("FETCH_OFFSET", "int64 FetchOffset"),
	("CLIENT_SW_NAME", "ApiVersions request ClientSoftwareName"),
	("CLIENT_SW_VERSION", "ApiVersions request ClientSoftwareVersion"),
	("MECHANISM", "SaslHandshake request Mechanism"),
	("AUTH_BYTES", "SaslAuthenticate request AuthBytes"),
	("ACKS", "Produce request Acks"),
	("TXN_COMMIT", "EndTxn request Committed"),
	("PRODUCE_BASE_OFFSET", "Produce response BaseOffset"),
	("ISOLATION_LEVEL", "ListOffsets request IsolationLevel"),
	("LIST_TIMESTAMP", "ListOffsets request Timestamp"),
	("LIST_OFFSET", "ListOffsets response Offset"),
]
SEM_IDX = {name: i for i, (name, _) in enumerate(SEMS)}
# Sems the decoder acts on (kafka_decode.c); a struct none of whose descendants carries one (nor
# records) may be skipped without being walked.
EXTRACTED = {name for name, _ in SEMS} - {"NONE"}
ENTITY_SEM = {"topicName": "TOPIC_NAME", "groupId": "GROUP_ID",
	      "transactionalId": "TXN_ID", "producerId": "PRODUCER_ID", "brokerId": "BROKER_ID"}
NAME_SEM = {
	("TopicId", "uuid"): "TOPIC_ID",
	("PartitionIndex", "int32"): "PARTITION",
	("Partition", "int32"): "PARTITION",
	("PartitionId", "int32"): "PARTITION",
	("Index", "int32"): "PARTITION",
	("ErrorCode", "int16"): "ERROR_CODE",
	("ThrottleTimeMs", "int32"): "THROTTLE",
	("HighWatermark", "int64"): "HIGH_WATERMARK",
	("CommittedOffset", "int64"): "COMMITTED_OFFSET",
	("FetchOffset", "int64"): "FETCH_OFFSET",
}
MSG_SEM = {
	("ApiVersionsRequest", "ClientSoftwareName"): "CLIENT_SW_NAME",
	("ApiVersionsRequest", "ClientSoftwareVersion"): "CLIENT_SW_VERSION",
	("SaslHandshakeRequest", "Mechanism"): "MECHANISM",
	("SaslAuthenticateRequest", "AuthBytes"): "AUTH_BYTES",
	("ProduceRequest", "Acks"): "ACKS",
	("EndTxnRequest", "Committed"): "TXN_COMMIT",
	("ProduceResponse", "BaseOffset"): "PRODUCE_BASE_OFFSET",
	("ListOffsetsRequest", "IsolationLevel"): "ISOLATION_LEVEL",
	("ListOffsetsRequest", "Timestamp"): "LIST_TIMESTAMP",
	("ListOffsetsResponse", "Offset"): "LIST_OFFSET",
}


def strip_comments(text):
	"""Drop // comments that are outside JSON strings."""
	out = []
	for line in text.splitlines():
		in_str = False
		esc = False
		cut = len(line)
		for i, c in enumerate(line):
			if in_str:
				if esc:
					esc = False
				elif c == "\\":
					esc = True
				elif c == '"':
					in_str = False
			elif c == '"':
				in_str = True
			elif c == "/" and line[i + 1:i + 2] == "/":
				cut = i
				break
		out.append(line[:cut])
	return "\n".join(out)


def parse_range(spec, what):
	"""'N+', 'N-M', 'N' or 'none' -> (lo, hi); hi VER_OPEN when open; none -> (0xff, 0)."""
	if spec is None or spec == "none":
		return (VER_OPEN, 0)
	spec = str(spec).strip()
	m = re.fullmatch(r"(\d+)\+", spec)
	if m:
		return (int(m.group(1)), VER_OPEN)
	m = re.fullmatch(r"(\d+)-(\d+)", spec)
	if m:
		return (int(m.group(1)), int(m.group(2)))
	m = re.fullmatch(r"(\d+)", spec)
	if m:
		return (int(m.group(1)), int(m.group(1)))
	sys.exit("%s: bad version range %r" % (what, spec))


def camel_to_upper(name):
	return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


class Program:
	"""The flat field table, with identical field lists shared."""

	def __init__(self):
		self.fields = []
		self.lists = {}
		self.max_depth = 0

	def add_list(self, tuples):
		key = tuple(tuples)
		if not key:
			return 0
		if key not in self.lists:
			self.lists[key] = len(self.fields)
			self.fields.extend(key)
		return self.lists[key]

	def list_at(self, first, n):
		return self.fields[first:first + n]


def build_fields(prog, msg, fields, commons, depth):
	"""Return the field tuples of one struct level; nested lists are added to prog first."""
	prog.max_depth = max(prog.max_depth, depth)
	out = []
	for f in fields:
		ftype = f["type"]
		is_array = ftype.startswith("[]")
		base = ftype[2:] if is_array else ftype
		sub, sub_n = 0, 0
		sub_extract = False
		if base in PRIMS:
			t = PRIMS[base]
		else:
			t = "STRUCT"
			children = f.get("fields")
			if children is None:
				if base not in commons:
					sys.exit("%s.%s: unknown type %s" % (msg, f["name"], ftype))
				children = commons[base]
			tuples = build_fields(prog, msg, children, commons, depth + 1)
			sub_extract = any(c[1] & FF_EXTRACT for c in tuples)
			if len(tuples) > 255:
				sys.exit("%s.%s: too many fields" % (msg, f["name"]))
			sub, sub_n = prog.add_list(tuples), len(tuples)
		sem = "NONE"
		if (msg, f["name"]) in MSG_SEM:
			sem = MSG_SEM[(msg, f["name"])]
		elif f.get("entityType") in ENTITY_SEM and t in ("STRING", "INT32", "INT64"):
			sem = ENTITY_SEM[f["entityType"]]
		elif (f["name"], base) in NAME_SEM:
			sem = NAME_SEM[(f["name"], base)]
		vlo, vhi = parse_range(f.get("versions"), msg + "." + f["name"])
		nlo, nhi = parse_range(f.get("nullableVersions"), msg + "." + f["name"])
		tlo, _ = parse_range(f.get("taggedVersions"), msg + "." + f["name"])
		tag = int(f.get("tag", 0))
		if tag > 255:
			sys.exit("%s.%s: tag %d does not fit" % (msg, f["name"], tag))
		flags = FF_ARRAY if is_array else 0
		if sem in EXTRACTED or t == "RECORDS" or sub_extract:
			flags |= FF_EXTRACT
		out.append((t, flags, sem, vlo, vhi, nlo, nhi, tlo, tag, sub, sub_n, 0,
			    f["name"]))
	# An error code that comes before its struct's partition index is that partition's
	# (Metadata's, DescribeTopicPartitions', OffsetForLeaderEpoch's), not the enclosing
	# struct's.
	for i, f in enumerate(out):
		if f[2] == "ERROR_CODE" and any(g[2] == "PARTITION" for g in out[i + 1:]):
			out[i] = (f[0], f[1] | FF_PART_NEXT) + f[2:]
	return out


def in_range(v, lo, hi):
	return lo != VER_OPEN and v >= lo and (hi == VER_OPEN or v <= hi)


def flatten(prog, steps, spec, v, flex):
	"""The step program of one struct level (spec tuples of build_fields) in version v.

	Fields absent in v, or tagged in v (they travel in the skipped tagged section), are
	dropped; nullability is resolved; consecutive fixed-width values nothing is extracted from
	become one SKIP step of their total size, and so does a struct made only of such values
	when it has no tagged section of its own (classic versions) and cannot be null. An array of
	structs carries the size of its elements' fields when that is fixed (tagged section
	excluded), else NOT_FIXED: the decoder's skips step over whole arrays with it.
	"""
	out = []
	for f in spec:
		t, flags, sem, vlo, vhi, nlo, nhi, tlo, tag, sub, sub_n, _, name = f
		if not in_range(v, vlo, vhi) or in_range(v, tlo, VER_OPEN):
			continue
		nul = in_range(v, nlo, nhi)
		nlo2, nhi2 = (0, VER_OPEN) if nul else (VER_OPEN, 0)
		size = 0
		csub, csub_n = 0, 0
		if t == "STRUCT":
			kids = flatten(prog, steps, prog.list_at(sub, sub_n), v, flex)
			body = 0
			for k in kids:
				if k[0] != "SKIP":
					body = NOT_FIXED
					break
				body += k[11]
			if body > 0xFFFE:
				body = NOT_FIXED
			if not flags & (FF_ARRAY | FF_EXTRACT) and not flex and not nul and \
			   body != NOT_FIXED:
				t, size = "SKIP", body
			else:
				csub, csub_n = steps.add_list(kids), len(kids)
				size = body if flags & FF_ARRAY else 0
		elif not flags & (FF_ARRAY | FF_EXTRACT) and t in WIDTH:
			t, size = "SKIP", WIDTH[t]
		if t == "SKIP":
			if size == 0:
				continue
			if out and out[-1][0] == "SKIP" and out[-1][11] + size <= 0xFFFE:
				prev = out.pop()
				size += prev[11]
				name = prev[12] + ".." + name
			out.append(("SKIP", 0, "NONE", 0, VER_OPEN, VER_OPEN, 0, VER_OPEN, 0, 0, 0,
				    size, name))
			continue
		out.append((t, flags, sem, 0, VER_OPEN, nlo2, nhi2, VER_OPEN, 0, csub, csub_n, size,
			    name))
	return out


def load_specs(spec_dir):
	apis = {}
	for fn in sorted(os.listdir(spec_dir)):
		if not fn.endswith(".json"):
			continue
		with open(os.path.join(spec_dir, fn), encoding="utf-8") as fh:
			d = json.loads(strip_comments(fh.read()))
		if d.get("type") not in ("request", "response"):
			continue
		key = int(d["apiKey"])
		apis.setdefault(key, {})[d["type"]] = d
	return apis


def msg_entry(prog, d):
	commons = {c["name"]: c["fields"] for c in d.get("commonStructs", [])}
	tuples = build_fields(prog, d["name"], d["fields"], commons, 1)
	vlo, vhi = parse_range(d["validVersions"], d["name"])
	flo, _ = parse_range(d["flexibleVersions"], d["name"])
	return (prog.add_list(tuples), len(tuples), vlo, vhi, flo)


# What makes a request keep a detail slot until its response (kafka_decode.c pend_detail()):
# partition indexes, offsets or records fields.
DETAIL_SEMS = {"PARTITION", "HIGH_WATERMARK", "COMMITTED_OFFSET", "FETCH_OFFSET",
	       "PRODUCE_BASE_OFFSET", "LIST_TIMESTAMP", "LIST_OFFSET"}


def keeps_detail(prog, first, n):
	"""Whether a field of the list (in any version), or of a struct in it, is one a detail
	slot keeps."""
	for f in prog.list_at(first, n):
		if f[2] in DETAIL_SEMS or f[0] == "RECORDS":
			return True
		if f[0] == "STRUCT" and keeps_detail(prog, f[9], f[10]):
			return True
	return False


def msg_progs(prog, steps, m):
	"""(first, n) of the step program of message m (a msg_entry) in each valid version."""
	first, n, vlo, vhi, flo = m
	out = []
	for v in range(vlo, vhi + 1):
		kids = flatten(prog, steps, prog.list_at(first, n), v, in_range(v, flo, VER_OPEN))
		out.append((steps.add_list(kids), len(kids)))
	return out


# Strings the decoder keeps (kafka_decode.c str_wanted()): read by bw_str().
CAPTURED = {"TOPIC_NAME", "GROUP_ID", "TXN_ID", "CLIENT_SW_NAME", "CLIENT_SW_VERSION", "MECHANISM"}


def need(t_, size, lv, i, in_array):
	"""Back to the walker at step i of level lv unless size bytes lie in the piece."""
	return "%sif (unlikely(in->n < %d))\n%s\treturn bw_at(d, %d, %d, %d);\n" % (
		t_, size, t_, lv, i, in_array)


def reader(t, sem):
	"""The read of a variable-size extracted value: bw_str() for a kept name."""
	return "VS" if t == "STRING" and sem in CAPTURED else "VR"


def broker_id(t, sem):
	"""A broker id, read by bw_broker(): an int32 whose only effect is its place in a list."""
	return sem == "BROKER_ID" and t == "INT32"


# Extracted scalars with a reader of their own (kafka_decode.c): an error code, taken in place
# when 0; a partition index, acted on without value_got()'s dispatch.
FAST_VALUES = {("ERROR_CODE", "INT16"): "VE", ("PARTITION", "INT32"): "VP"}


def body_steps(steps, first, n, lv, out, ind):
	"""C statements for the struct level lv (steps.fields[first .. first + n)) of a body, as
	kafka_decode.c's walk() would act on them when they lie in the piece; see BODY_DOC."""
	t_ = "\t" * ind
	for i in range(n):
		idx = first + i
		t, flags, sem, _, _, nlo, _, _, _, sub, sub_n, size, name = steps.fields[idx]
		parts = name.split("..")
		label = name if len(parts) < 3 else "%s..%s" % (parts[0], parts[-1])
		out.append("%s/* %s */\n" % (t_, label))
		if t == "SKIP":
			out.append(need(t_, size, lv, i, 0))
			out.append("%stake(d, in, %d);\n" % (t_, size))
			continue
		nul = "true" if nlo == 0 else "false"  # a null array, string or bytes is allowed
		if not flags & FF_EXTRACT:
			run = None  # (prefix width when classic, value width): a run of values
			if flags & FF_ARRAY and t in WIDTH:
				run = (4, WIDTH[t])
			elif not flags & FF_ARRAY and t in ("STRING", "BYTES"):
				run = (2 if t == "STRING" else 4, 1)
			if run:
				call = "SKIP_RUN(%d, %d, %s)" % (run + (nul,))
			elif flags & FF_ARRAY and t == "STRUCT" and size != NOT_FIXED:
				call = "SKIP_ELEMS(%d, %s)" % (size, nul)
			else:
				call = "SKIP(%d)" % idx
			out.append("%sif (unlikely(!%s))\n%s\treturn bw_at(d, %d, %d, 0);\n"
				   % (t_, call, t_, lv, i))
			continue
		width = WIDTH.get(t, 0)
		if flags & FF_ARRAY and broker_id(t, sem):
			out.append("%sif (unlikely(!VB_RUN(%d, %s)))\n" % (t_, idx, nul))
			out.append("%s\treturn bw_at(d, %d, %d, 0);\n" % (t_, lv, i))
			continue
		if flags & FF_ARRAY:
			out.append("%sd->f = F(%d);\n" % (t_, idx))
			out.append("%sframe_save(&d->stack[%d], %d, 0);\n" % (t_, lv, i))
			out.append("%sif (!len_read(d, in, 4, &n))\n%s\treturn true;\n" % (t_, t_))
			out.append("%sarray_begin(ctx, conn, d, n, in);\n" % t_)
			out.append("%sif (!walk_on(d))\n%s\treturn false;\n" % (t_, t_))
			out.append("%sif (d->stack[%d].in_array) {\n" % (t_, lv))
			out.append("%s\twhile (d->stack[%d].elems) {\n" % (t_, lv))
			u_ = t_ + "\t\t"
			if t == "STRUCT":
				out.append("%sd->stack[%d].elems--;\n" % (u_, lv))
				out.append("%sframe_save(&d->stack[%d], %d, 1);\n" % (u_, lv, i))
				out.append("%sif (!push(ctx, d, F(%d)))\n%s\treturn false;\n"
					   % (u_, idx, u_))
				body_steps(steps, sub, sub_n, lv + 1, out, ind + 2)
				body_end(lv + 1, sub_n, out, ind + 2)
			elif width:
				out.append(need(u_, width, lv, i, 1))
				out.append("%sd->stack[%d].elems--;\n" % (u_, lv))
				out.append("%sif (!VT(%d, %d))\n"
					   "%s\treturn bw_stop(d, %d, %d, 1);\n"
					   % (u_, idx, width, u_, lv, i))
			else:
				out.append("%sd->stack[%d].elems--;\n" % (u_, lv))
				out.append("%sif (!%s(%d))\n%s\treturn bw_stop(d, %d, %d, 1);\n"
					   % (u_, reader(t, sem), idx, u_, lv, i))
			out.append("%s\t}\n%s}\n" % (t_, t_))
			continue
		if t == "STRUCT":
			out.append("%sd->f = F(%d);\n" % (t_, idx))
			u_ = t_
			if nlo == 0:
				out.append("%sif (!in->n)\n%s\treturn bw_at(d, %d, %d, 0);\n"
					   % (t_, t_, lv, i))
				out.append("%snull = (int8_t)in->p[0] < 0;\n" % t_)
				out.append("%stake(d, in, 1);\n" % t_)
				out.append("%sif (!null) {\n" % t_)
				u_ = t_ + "\t"
			out.append("%sframe_save(&d->stack[%d], %d, 0);\n" % (u_, lv, i + 1))
			out.append("%sif (!push(ctx, d, F(%d)))\n%s\treturn false;\n"
				   % (u_, idx, u_))
			body_steps(steps, sub, sub_n, lv + 1, out, len(u_))
			body_end(lv + 1, sub_n, out, len(u_))
			if nlo == 0:
				out.append("%s}\n" % t_)
			continue
		if width and broker_id(t, sem):
			out.append(need(t_, width, lv, i, 0))
			out.append("%sVB(%d);\n" % (t_, idx))
		elif width and (sem, t) in FAST_VALUES:
			out.append(need(t_, width, lv, i, 0))
			out.append("%sif (!%s(%d))\n"
				   "%s\treturn bw_stop(d, %d, %d, 0);\n"
				   % (t_, FAST_VALUES[(sem, t)], idx, t_, lv, i + 1))
		elif width:
			out.append(need(t_, width, lv, i, 0))
			out.append("%sif (!VT(%d, %d))\n"
				   "%s\treturn bw_stop(d, %d, %d, 0);\n"
				   % (t_, idx, width, t_, lv, i + 1))
		else:
			out.append("%sif (!%s(%d))\n%s\treturn bw_stop(d, %d, %d, 0);\n"
				   % (t_, reader(t, sem), idx, t_, lv, i + 1))


def body_end(lv, n, out, ind):
	"""The end of a nested struct: its tagged section when empty, then back to its parent."""
	t_ = "\t" * ind
	out.append("%sif (d->flex) {\n" % t_)
	out.append("%s\tif (unlikely(!NO_TAGS))\n%s\t\treturn bw_at(d, %d, %d, 0);\n"
		   % (t_, t_, lv, n))
	out.append("%s\ttake(d, in, 1);\n%s}\n" % (t_, t_))
	out.append("%sd->depth--;\n" % t_)


def steps_fnv(steps):
	"""FNV-1a (32 bits) of the step table (kafka_decode.h: kw_kafka_body_steps_fnv)."""
	h = 0x811C9DC5
	for t, flags, sem, vlo, vhi, nlo, nhi, tlo, tag, sub, sub_n, size, _ in steps.fields:
		vals = [TYPES.index(t), flags, SEM_IDX[sem], vlo, vhi, nlo, nhi, tlo, tag, sub_n,
			sub & 0xFF, sub >> 8, size & 0xFF, size >> 8]
		for b in vals:
			h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
	return h


def body_inc(steps, progs, banner):
	"""kafka_body.inc: one straight-line function per distinct top-level step program."""
	out = [banner, "/* SPDX-License-Identifier: BSD-3-Clause */\n", BODY_DOC]
	out.append("\n/* The step table these functions were generated from (kafka_schema.c). */\n"
		   "#define KW_KAFKA_BODY_STEPS %d\n#define KW_KAFKA_BODY_STEPS_FNV 0x%08xu\n"
		   % (len(steps.fields), steps_fnv(steps)))
	firsts = sorted({p for key in progs for m in progs[key] for p in m if p[1] > 0})
	for first, n in firsts:
		out.append("\nstatic bool\nbw_%d(struct kw_kafka_ctx *ctx, "
			   "struct kw_kafka_conn *conn, struct kw_kafka_dir *d,\n"
			   "\tstruct piece *in)\n{\n" % first)
		body = []
		body_steps(steps, first, n, 0, body, 1)
		text = "".join(body)
		if "&n)" in text:
			out.append("\tint64_t n;\n")
		if "null = " in text:
			out.append("\tbool null;\n")
		if "&n)" in text or "null = " in text:
			out.append("\n")
		reads = ("VT(", "VR(", "VS(", "VE(", "VP(")
		if not any(w in text for w in ("ctx", "SKIP(", "VB(", "VB_RUN(") + reads):
			out.append("\t(void)ctx;\n")
		if not any(w in text for w in ("conn",) + reads):
			out.append("\t(void)conn;\n")
		out.append(text)
		out.append("\treturn bw_at(d, 0, %d, 0);\n}\n" % n)
	out.append("\n/* The function for the program at kw_kafka_steps[first], or NULL. */\n"
		   "static bw_fn *\nbw_get(uint16_t first)\n{\n\tswitch (first) {\n")
	for first, n in firsts:
		out.append("\tcase %d:\n\t\treturn bw_%d;\n" % (first, first))
	out.append("\tdefault:\n\t\treturn NULL;\n\t}\n}\n")
	return "".join(out)


BODY_DOC = """/*
 * Straight-line decoding of message bodies: one function per step program of kafka_schema.c
 * (kw_kafka_steps), included by kafka_decode.c after walk(), whose helpers it calls. A body
 * starts in its function, which goes as far as the piece holds it.
 *
 * Each function does what walk() does on the same steps when every value lies in the piece, with
 * the step order, the walker's stack frames and its depth known when generated instead of read
 * from the tables at every step. Anything else (a value past the piece, a tagged section that is
 * not empty, a count or length that fails a check, a field only the walker steps over) returns to
 * the walker at that step with its frames as walk() would have left them: true, the walker goes
 * on from there; false, an op is pending or the frame was refuted, as after walk() returned. So
 * outcomes and counters do not depend on which path decoded a body, nor on where the stream was
 * cut (tests/kafka/test_kafka.c compares every split point, the re-segmentation tests captures).
 */
#define F(x) (&kw_kafka_steps[x])
#define VT(x, width) bw_val(ctx, conn, d, F(x), in, width)
#define VR(x) value_read(ctx, conn, d, F(x), in)
#define VS(x) bw_str(ctx, conn, d, F(x), in)
#define VE(x) bw_error(ctx, conn, d, F(x), in)
#define VP(x) bw_part(ctx, conn, d, F(x), in)
#define VB(x) bw_broker(ctx, d, F(x), in)
#define VB_RUN(x, nul) bw_broker_run(ctx, d, F(x), in, nul)
#define SKIP(x) bw_skip(ctx, d, F(x), in)
#define SKIP_RUN(lw, width, nul) bw_skip_run(d, in, lw, width, nul)
#define SKIP_ELEMS(body, nul) bw_skip_elems(d, in, body, nul)
#define NO_TAGS (in->n && in->p[0] == 0) /* an empty tagged section */
"""


def ver_c(v):
	return "O" if v == VER_OPEN else str(v)


def main():
	here = os.path.dirname(os.path.abspath(__file__))
	root = os.path.dirname(here)
	spec_dir = sys.argv[1] if len(sys.argv) > 1 else \
		os.path.join(root, "..", "shared", "kafka-spec", "message")
	out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "dataplane", "kafka")
	apis = load_specs(spec_dir)
	if not apis:
		sys.exit("no request/response specs in " + spec_dir)
	prog = Program()
	rows = {}
	max_ver = 0
	for key in sorted(apis):
		pair = apis[key]
		if "request" not in pair or "response" not in pair:
			sys.exit("api key %d lacks its request or response" % key)
		name = pair["request"]["name"][:-len("Request")]
		req = msg_entry(prog, pair["request"])
		resp = msg_entry(prog, pair["response"])
		max_ver = max(max_ver, req[3], resp[3])
		rows[key] = (name, req, resp)
	steps = Program()
	progs = {}
	for key in sorted(rows):
		progs[key] = [msg_progs(prog, steps, m) for m in rows[key][1:]]
	if len(prog.fields) > 0xFFFF or len(steps.fields) > 0xFFFF:
		sys.exit("field table too large")
	max_key = max(rows)
	banner = ("/* Generated by %s from the Kafka message specs: DO NOT EDIT. "
		  "*/\n" % SCRIPT)

	h = [banner, "/* SPDX-License-Identifier: BSD-3-Clause */\n"]
	h.append("""/*
 * Kafka protocol schema tables: every api key with its request and response version ranges,
 * flexible versions and field program.
 *
 * Read-only data, safe from any thread. Owns nothing. kw_kafka_fields is the spec's field program
 * (all versions); the decoder walks kw_kafka_steps, one program per (api key, direction,
 * version) derived from it by the generator: absent and tagged fields dropped, nullability
 * resolved, consecutive fixed-width values nothing is extracted from merged into one SKIP step,
 * so the walk makes no version check and few steps.
 * A struct field's children are kw_kafka_fields[sub .. sub + sub_n) (steps: kw_kafka_steps[..]).
 * Ranges are inclusive;
 * an upper bound of KW_KAFKA_VER_OPEN means "and later"; a lower bound of KW_KAFKA_VER_OPEN
 * means "never" (nullable or tagged in no version, or never flexible).
 */
#ifndef KW_KAFKA_SCHEMA_H
#define KW_KAFKA_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

""")
	h.append("#define KW_KAFKA_API_COUNT %d\n" % len(rows))
	h.append("#define KW_KAFKA_API_MAX_KEY %d\n" % max_key)
	h.append("#define KW_KAFKA_MAX_VERSION %d\n" % max_ver)
	h.append("#define KW_KAFKA_SCHEMA_MAX_DEPTH %d /* deepest struct nesting, body = 1 */\n"
		 % prog.max_depth)
	h.append("#define KW_KAFKA_FIELD_COUNT %d\n" % len(prog.fields))
	h.append("#define KW_KAFKA_STEP_COUNT %d\n" % len(steps.fields))
	h.append("#define KW_KAFKA_SIZE_NOT_FIXED 0x%X\n" % NOT_FIXED)
	h.append("#define KW_KAFKA_VER_OPEN 0xff\n\n")
	plain = sum(1 << k for k in rows if k < 64 and not keeps_detail(prog, *rows[k][1][:2]))
	h.append("/* api keys below 64 whose requests carry no partition index, offset or records "
		 "field:\n * they never keep a detail slot (bit k: key k) */\n")
	h.append("#define KW_KAFKA_REQ_NO_DETAIL 0x%016xull\n\n" % plain)
	for key in sorted(rows):
		h.append("#define KW_KAFKA_API_%s %d\n" % (camel_to_upper(rows[key][0]), key))
	h.append("\nenum kw_kafka_ftype {\n")
	for t in TYPES:
		h.append("\tKW_KAFKA_T_%s,\n" % t)
	h.append("};\n\n/* What the decoder extracts from a field. */\nenum kw_kafka_sem {\n")
	for name, about in SEMS:
		h.append("\tKW_KAFKA_SEM_%s, /* %s */\n" % (name, about))
	h.append("""};

#define KW_KAFKA_FF_ARRAY 0x01   /* "[]type": an array of the type */
#define KW_KAFKA_FF_EXTRACT 0x02 /* the decoder extracts this field or one of its descendants */
#define KW_KAFKA_FF_PART_NEXT 0x04 /* an error code whose struct's partition index follows it */

struct kw_kafka_field {
	uint8_t type;     /* enum kw_kafka_ftype */
	uint8_t flags;    /* KW_KAFKA_FF_* */
	uint8_t sem;      /* enum kw_kafka_sem */
	uint8_t ver_min;  /* present in versions [ver_min, ver_max] */
	uint8_t ver_max;
	uint8_t null_min; /* nullable in versions [null_min, null_max] */
	uint8_t null_max;
	uint8_t tag_min;  /* a tagged field from this version on (KIP-482) */
	uint8_t tag;
	uint8_t sub_n;    /* struct: number of child fields */
	uint16_t sub;     /* struct: index of the first child field */
	uint16_t size;    /* step SKIP: bytes; step array of structs: bytes of an element's fields
			   * when fixed (tagged section excluded), else KW_KAFKA_SIZE_NOT_FIXED */
};

/* A message's step program in one version: kw_kafka_steps[first .. first + n). */
struct kw_kafka_prog {
	uint16_t first;
	uint8_t n;
};

struct kw_kafka_msg {
	uint16_t first;   /* top-level fields: kw_kafka_fields[first .. first + n) */
	uint8_t n;
	uint8_t ver_min;  /* valid versions */
	uint8_t ver_max;
	uint8_t flex_min; /* flexible from this version on */
	const struct kw_kafka_prog *prog; /* indexed by version - ver_min */
};

struct kw_kafka_api {
	const char *name; /* NULL for an unassigned key */
	struct kw_kafka_msg req;
	struct kw_kafka_msg resp;
};

extern const struct kw_kafka_field kw_kafka_fields[KW_KAFKA_FIELD_COUNT];
extern const struct kw_kafka_field kw_kafka_steps[KW_KAFKA_STEP_COUNT];
extern const struct kw_kafka_api kw_kafka_apis[KW_KAFKA_API_MAX_KEY + 1];

/* The api of a key, or NULL when the key is unknown. */
static inline const struct kw_kafka_api *
kw_kafka_api_get(int key)
{
	if (key < 0 || key > KW_KAFKA_API_MAX_KEY || kw_kafka_apis[key].name == NULL)
		return NULL;
	return &kw_kafka_apis[key];
}

#endif /* KW_KAFKA_SCHEMA_H */
""")

	c = [banner, "/* SPDX-License-Identifier: BSD-3-Clause */\n"]
	c.append('#include "dataplane/kafka/kafka_schema.h"\n\n')
	c.append("#define O KW_KAFKA_VER_OPEN\n#define T(x) KW_KAFKA_T_##x\n")
	c.append("#define S(x) KW_KAFKA_SEM_##x\n")
	c.append("#define A KW_KAFKA_FF_ARRAY\n#define X KW_KAFKA_FF_EXTRACT\n")
	c.append("#define P KW_KAFKA_FF_PART_NEXT\n\n")
	tables = (("kw_kafka_fields", "FIELD", prog), ("kw_kafka_steps", "STEP", steps))
	for table, count, p in tables:
		c.append("const struct kw_kafka_field %s[KW_KAFKA_%s_COUNT] = {\n" % (table, count))
		for i, f in enumerate(p.fields):
			t, flags, sem, vlo, vhi, nlo, nhi, tlo, tag, sub, sub_n, size, name = f
			fl = " | ".join(n for b, n in ((FF_ARRAY, "A"), (FF_EXTRACT, "X"),
								  (FF_PART_NEXT, "P"))
					if flags & b)
			row = "\t{T(%s), %s, S(%s), %s, %s, %s, %s, %s, %d, %d, %d, %d}," % (
				t, fl or "0", sem, ver_c(vlo), ver_c(vhi), ver_c(nlo), ver_c(nhi),
				ver_c(tlo), tag, sub_n, sub, size)
			if len(name) > 80:
				name = name[:77] + "..."
			note = "/* %d %s */" % (i, name)
			if len(row.expandtabs(8)) + 1 + len(note) <= 100:
				c.append(row + " " + note + "\n")
			else:
				c.append("\t" + note + "\n" + row + "\n")
		c.append("};\n\n")
	for key in sorted(rows):
		for d, m in zip(("req", "resp"), progs[key]):
			c.append("static const struct kw_kafka_prog prog_%d_%s[] = {\n" % (key, d))
			line = "\t"
			for first, n in m:
				item = "{%d, %d}, " % (first, n)
				if len((line + item).expandtabs(8).rstrip()) > 99:
					c.append(line.rstrip() + "\n")
					line = "\t"
				line += item
			c.append(line.rstrip() + "\n};\n")
	c.append("\nconst struct kw_kafka_api kw_kafka_apis[KW_KAFKA_API_MAX_KEY + 1] = {\n")
	for key in sorted(rows):
		name, req, resp = rows[key]
		c.append('\t[%d] = {"%s",\n' % (key, name))
		for d, m in (("req", req), ("resp", resp)):
			c.append("\t\t{%d, %d, %d, %s, %s, prog_%d_%s},\n" % (
				m[0], m[1], m[2], ver_c(m[3]), ver_c(m[4]), key, d))
		c[-1] = c[-1].rstrip(",\n") + "},\n"
	c.append("};\n")

	with open(os.path.join(out_dir, "kafka_schema.h"), "w", encoding="utf-8") as fh:
		fh.write("".join(h))
	with open(os.path.join(out_dir, "kafka_schema.c"), "w", encoding="utf-8") as fh:
		fh.write("".join(c))
	with open(os.path.join(out_dir, "kafka_body.inc"), "w", encoding="utf-8") as fh:
		fh.write(body_inc(steps, progs, banner))


if __name__ == "__main__":
	main()
