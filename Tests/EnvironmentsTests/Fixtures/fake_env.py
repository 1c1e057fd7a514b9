#!/usr/bin/env python3
"""A dependency-free environment speaking the mbrl JSON-lines protocol
(Environments/bridge/PROTOCOL.md), for ExternalEnvironmentTests.

Usage: fake_env.py MODE
  normal     a 1-D walk: observation [position, 1.0], action 0 (left) / 1 (right);
             reward = action; terminates after 3 steps
  crash      exits with status 3 (after writing to stderr) on the second step
  hang       never replies to the first step
  stubborn   like hang, and ignores SIGTERM (only SIGKILL ends it)
  malformed  replies to the first step with a line that is not JSON
  missing    replies to the first step without the 'reward' field
  wrongshape replies to the first step with a 3-number observation (space has 2)
  error      replies to every step with {"ok": false, "error": ...}
"""
import json
import signal
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "normal"
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
position = 0.0
steps = 0


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    op = request.get("op")
    if op == "hello":
        send({"ok": True, "protocol": 1,
              "observation_space": {"type": "box", "low": [-10.0, None], "high": [10.0, None], "shape": [2]},
              "action_space": {"type": "discrete", "n": 2}})
    elif op == "reset":
        position, steps = 0.0, 0
        seed = request.get("seed")
        send({"ok": True, "observation": [position, 1.0], "info": {"seed": seed if seed is not None else -1}})
    elif op == "step":
        steps += 1
        action = request["action"]
        if mode == "crash" and steps == 2:
            sys.stderr.write("fake_env: simulated failure in step 2\n")
            sys.stderr.flush()
            sys.exit(3)
        if mode in ("hang", "stubborn"):
            time.sleep(3600)
        if mode == "malformed":
            sys.stdout.write("this is not json\n")
            sys.stdout.flush()
            continue
        if mode == "error":
            send({"ok": False, "error": "action %r rejected" % (action,)})
            continue
        position += 1.0 if action == 1 else -1.0
        reply = {"ok": True, "observation": [position, 1.0], "reward": float(action),
                 "terminated": steps >= 3, "truncated": False, "info": {"steps": steps, "note": "fine"}}
        if mode == "missing":
            del reply["reward"]
        if mode == "wrongshape":
            reply["observation"] = [position, 1.0, 2.0]
        send(reply)
    elif op == "close":
        send({"ok": True})
        break
    else:
        send({"ok": False, "error": "unknown op %r" % (op,)})
