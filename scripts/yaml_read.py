"""Reads YAML on stdin with PyYAML's safe loader (YAML 1.1, as the AWS
CLI's users read it) and prints it as JSON; a value YAML turned into a
date, a time or a number where the document had a string shows up as
that type's JSON (dates as {"date": "..."}) so the test sees the change."""
import datetime
import json
import sys

import yaml


def plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return {"date": value.isoformat()}
    raise TypeError(type(value).__name__)


json.dump(yaml.safe_load(sys.stdin), sys.stdout, default=plain)
