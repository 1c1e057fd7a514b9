#!/usr/bin/env python3
"""A 1-D point mass speaking the mbrl JSON-lines protocol, with snapshots
(Environments/bridge/PROTOCOL.md: `get_state`/`set_state`), dependency-free.

Usage: point_mass_env.py [--no-snapshots]

State (x, v), start x = -1, v = 0; action a in [-1, 1]:
  v <- v + 0.1 * a;  x <- x + 0.1 * v;  reward = -(x * x) - 0.01 * a * a
Truncated after 40 steps. The same dynamics, operation for operation, as
`PointMass1D` in the Swift tests, so oracle MPC over either gives the same
returns.
"""
import json
import sys

snapshots = "--no-snapshots" not in sys.argv[1:]
x, v, t, running = -1.0, 0.0, 0, False


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    op = request.get("op")
    if op == "hello":
        send({"ok": True, "protocol": 1, "snapshots": snapshots,
              "observation_space": {"type": "box", "low": [None, None], "high": [None, None], "shape": [2]},
              "action_space": {"type": "box", "low": [-1.0], "high": [1.0], "shape": [1]}})
    elif op == "reset":
        x, v, t, running = -1.0, 0.0, 0, True
        send({"ok": True, "observation": [x, v], "info": {}})
    elif op == "step":
        a = float(request["action"][0])
        v = v + 0.1 * a
        x = x + 0.1 * v
        t += 1
        reward = -(x * x) - 0.01 * a * a
        send({"ok": True, "observation": [x, v], "reward": reward, "terminated": False, "truncated": t >= 40, "info": {}})
    elif op == "get_state" and snapshots:
        send({"ok": True, "state": {"x": x, "v": v, "t": t}})
    elif op == "set_state" and snapshots:
        state = request["state"]
        x, v, t = float(state["x"]), float(state["v"]), int(state["t"])
        send({"ok": True})
    elif op == "close":
        send({"ok": True})
        break
    else:
        send({"ok": False, "error": "unknown op %r" % (op,)})
