"""sarif_check.py LOG SCHEMA N [URI LINE TARGET...]

Checks a `noinherit trace --sarif` log: valid against the OASIS SARIF 2.1.0
JSON schema (python3-jsonschema, draft 7, formats checked where the
installed checkers can), N results, each rule fd-leak with CWE-403 in the
rule's properties; with URI and LINE, each result located at URI (relative,
uriBaseId %SRCROOT%) line LINE, and each TARGET named by one result's
message, which also names the fd, the leaker and the receiver.
"""
import copy
import json
import sys

import jsonschema

log_path, schema_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(log_path, encoding="utf-8") as f:
    log = json.load(f)
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)

validator = jsonschema.Draft7Validator(
    schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
for e in errors:
    print("schema:", "/".join(map(str, e.path)), e.message)
assert not errors, "not valid SARIF 2.1.0"
# The validator is not a rubber stamp: the same log, broken, is refused.
broken = copy.deepcopy(log)
broken["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"] = \
    {"level": "fatal"}
broken["runs"][0]["noSuchProperty"] = 1
assert len(list(validator.iter_errors(broken))) == 2, "the schema checks nothing"

assert log["version"] == "2.1.0"
run, = log["runs"]
rule, = run["tool"]["driver"]["rules"]
assert rule["id"] == "fd-leak", rule
assert rule["properties"]["cwe"] == "CWE-403", rule
assert "external/cwe/cwe-403" in rule["properties"]["tags"], rule
results = run["results"]
assert len(results) == n, (len(results), n)
root = run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri", "")
assert root.startswith("file:///") and root.endswith("/"), root

if len(sys.argv) > 4:
    uri, line, targets = sys.argv[4], int(sys.argv[5]), sys.argv[6:]
    texts = []
    for r in results:
        assert r["ruleId"] == "fd-leak" and r["ruleIndex"] == 0, r
        phys = r["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"] == {"uri": uri,
                                            "uriBaseId": "%SRCROOT%"}, phys
        assert phys["region"]["startLine"] == line, (phys, line)
        text = r["message"]["text"]
        assert text.startswith("fd "), text
        assert " made by open() in leaker " in text, text
        assert " leaked into true (pid " in text, text
        texts.append(text)
        frames = r["stacks"][0]["frames"]
        assert frames[0]["location"]["logicalLocations"][0]["name"] == \
            "open_one", frames[0]
    for t in targets:
        hits = [x for x in texts if "(file %s)" % t in x]
        assert len(hits) == 1, (t, texts)
print("sarif_check: %d result(s), valid" % len(results))
