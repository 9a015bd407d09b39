"""Turns the Kubernetes JSON schemas shipped in the PyPI wheel `kubernetes-validate` into the
standalone layout kubeconform reads from a local folder ({kind}-{group}-{version}.json, every
$ref inlined into the file's own $defs), so that validation needs no network.

The wheel's schemas point at a shared `/api/_definitions.json`, which kubeconform would try to
fetch over HTTP; here each top-level kind gets the transitive closure of the definitions it uses.

usage: python3 standalone.py WHEEL K8S_VERSION OUT_DIR     (standard library only)
"""
import json
import sys
import zipfile
from pathlib import Path

# a kind's file points into the shared file; the shared file points into itself
REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


def target(ref):
    for prefix in REF_PREFIXES:
        if isinstance(ref, str) and ref.startswith(prefix):
            return ref[len(prefix):]
    return None


def refs(node):
    if isinstance(node, dict):
        name = target(node.get("$ref"))
        if name is not None:
            yield name
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def rewrite(node):
    if isinstance(node, dict):
        out = {k: rewrite(v) for k, v in node.items()}
        name = target(out.get("$ref"))
        if name is not None:
            out["$ref"] = "#/$defs/" + name
        return out
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node


def main(wheel, version, out_dir):
    folder = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.startswith(folder) and n.endswith(".json")]
        if not names:
            sys.exit(f"no schemas for Kubernetes {version} in {wheel}")
        definitions = json.loads(z.read(folder + "_definitions.json"))["$defs"]
        written = 0
        for name in names:
            base = name[len(folder):]
            if base in ("_definitions.json", "all.json"):
                continue
            schema = json.loads(z.read(name))
            if "x-kubernetes-group-version-kind" not in schema:
                continue  # a nested type, never a document of its own
            needed, todo = set(), list(refs(schema))
            while todo:
                d = todo.pop()
                if d not in needed:
                    needed.add(d)
                    todo.extend(refs(definitions[d]))
            schema.pop("$id", None)
            schema = rewrite(schema)
            schema["$defs"] = {d: rewrite(definitions[d]) for d in sorted(needed)}
            (out / base).write_text(json.dumps(schema))
            written += 1
    print(f"{written} standalone schemas for Kubernetes {version} in {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
