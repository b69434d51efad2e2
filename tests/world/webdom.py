#!/usr/bin/env python3
"""Reads a DOM dumped by headless Chromium (chromium --dump-dom) of nmigd's
web view and prints, as JSON, what tests/world/web.sh asserts on: the
domain rows, the grid's resolvers with their state and record cells, the
plot's points and markers, the scripts and the problem banner."""
import json
import sys
from html.parser import HTMLParser


class View(HTMLParser):
    def __init__(self):
        super().__init__()
        self.out = {"domains": [], "resolvers": [], "points": [],
                    "data_points": None, "markers": [], "scripts": [],
                    "problem": None, "texts": []}
        self.stack = []
        self.row = None
        self.cell_text = None
        self.in_problem = False
        self.problem_hidden = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "script":
            self.out["scripts"].append(a.get("src"))
        if tag == "tr" and "data-resolver" in a:
            self.row = {"name": a["data-resolver"], "state": a.get("data-state"),
                        "cells": [], "text": ""}
            self.out["resolvers"].append(self.row)
        elif tag == "tr" and "data-domain" in a:
            self.row = {"domain": a["data-domain"], "cells": [], "text": ""}
            self.out["domains"].append(self.row)
        if tag == "span" and "data-state" in a and self.row is not None:
            self.row["cells"].append(a["data-state"])
        if tag == "svg" and a.get("id") == "plot":
            self.out["data_points"] = int(a.get("data-points", "-1"))
        if tag == "circle" and "point" in a.get("class", "").split():
            self.out["points"].append(int(a.get("data-count", "-1")))
        if tag == "line" and "marker" in a.get("class", "").split():
            self.out["markers"].append(a["class"].split()[-1])
        if tag == "p" and a.get("id") == "problem":
            self.in_problem = True
            self.problem_hidden = "hidden" in a
            self.out["problem"] = "" if not self.problem_hidden else None

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
        if tag == "tr":
            self.row = None
        if tag == "p":
            self.in_problem = False

    def handle_data(self, data):
        self.out["texts"].append(data)
        if self.row is not None:
            self.row["text"] += data
        if self.in_problem and not self.problem_hidden:
            self.out["problem"] += data


v = View()
v.feed(sys.stdin.read())
json.dump(v.out, sys.stdout)
