#!/usr/bin/env python3
"""Baseline of bench/agents: prints N assistant-shaped JSON lines as fast as it can (what the
Claude Code double's `burst N` writes), for the `command` agent, which does not parse them."""
import sys

count = int(sys.argv[1])
line = '{"type":"assistant","message":{"model":"m","id":"msg_b","type":"message","role":"assistant","content":[{"type":"text","text":"event %d"}],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"s","uuid":"u"}\n'
out = sys.stdout
for n in range(count):
    out.write(line % n)
