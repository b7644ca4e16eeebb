"""Evaluates JMESPath expressions with Python's jmespath, the library behind
the AWS CLI's --query, for tests/differential.rs.

Usage: jmespath_eval.py DATA.json EXPRESSIONS.jsonl
Each input line is a JSON string (an expression); each output line is
{"ok": result} or {"error": kind}, kind being the compliance suite's name
for the error ("syntax", "invalid-type", ...) or "other".
"""

import json
import sys

import jmespath
from jmespath import exceptions


def kind(error):
    if isinstance(error, exceptions.ParseError):
        return "syntax"
    if isinstance(error, exceptions.UnknownFunctionError):
        return "unknown-function"
    if isinstance(error, exceptions.ArityError):
        return "invalid-arity"
    if isinstance(error, exceptions.JMESPathTypeError):
        return "invalid-type"
    return "other"


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = sys.stdout
    with open(sys.argv[2]) as f:
        for line in f:
            expression = json.loads(line)
            try:
                # Written inside the try: an answer the AWS CLI cannot
                # print (an expression reference) is its failure too.
                line = json.dumps({"ok": jmespath.search(expression, data)})
            except Exception as error:  # the AWS CLI fails on any of them
                line = json.dumps({"error": kind(error)})
            out.write(line + "\n")
    out.write(json.dumps({"version": jmespath.__version__}) + "\n")


if __name__ == "__main__":
    main()
