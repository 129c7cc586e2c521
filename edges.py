import json, sys
w = json.load(open(sys.argv[1]))
for src, c in w["connections"].items():
    for out, bucket in enumerate(c["main"]):
        for e in bucket:
            print("%s%s -> %s:%d" % (src, ":1" if out else "", e["node"], e["index"]))
