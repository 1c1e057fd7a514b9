#!/usr/bin/env python3
"""Serve a Gymnasium environment to mbrl over the JSON-lines protocol of
PROTOCOL.md (in this folder).

    python3 gymnasium_bridge.py CartPole-v1 [--kwargs '{"render_mode": null}']

In Swift:

    let env = try ExternalEnvironment(commandLine:
        "python3 Environments/bridge/gymnasium_bridge.py CartPole-v1")

or `mbrl` with the registered id `External-v0` and the setting
`command: "python3 Environments/bridge/gymnasium_bridge.py CartPole-v1"`.

Spaces: `Box` (any shape; flattened row-major, float32; infinite bounds sent
as null) and `Discrete` (n, start). Observations are flattened to one list of
numbers (a Discrete observation is `[index]`). Other spaces (Dict, Tuple,
MultiDiscrete, ...) are refused in the handshake with an error reply naming
the space; flatten them with a Gymnasium wrapper first.

Snapshots: when the environment can be pickled (the classic-control ones
can), the handshake says `"snapshots": true` and `get_state` returns the whole
environment (wrappers, step counters, generator) pickled, as a base64 string;
`set_state` unpickles it in its place. This is exact, and opaque to mbrl.

Only stdout carries protocol lines; anything the environment prints goes to
stderr (stdout is redirected while the env runs), where mbrl quotes the last
lines in its errors.
"""
import argparse
import base64
import json
import math
import pickle
import sys


def pickled(env):
    """The environment as a base64 pickle, or None if it cannot be pickled."""
    try:
        return base64.b64encode(pickle.dumps(env)).decode("ascii")
    except Exception:
        return None


def space_to_json(space):
    import numpy as np
    from gymnasium import spaces

    if isinstance(space, spaces.Discrete):
        return {"type": "discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.Box):
        def bound(x):
            x = float(x)
            return None if math.isinf(x) else x
        low = [bound(x) for x in np.asarray(space.low, dtype=np.float64).reshape(-1)]
        high = [bound(x) for x in np.asarray(space.high, dtype=np.float64).reshape(-1)]
        return {"type": "box", "low": low, "high": high, "shape": [int(d) for d in space.shape]}
    raise ValueError("unsupported space %r: the bridge maps only Box and Discrete" % (space,))


def flat(observation):
    import numpy as np
    return [float(x) for x in np.asarray(observation, dtype=np.float64).reshape(-1)]


def jsonable_info(info):
    import numpy as np
    out = {}
    for key, value in info.items():
        if isinstance(value, (bool, np.bool_)):
            out[str(key)] = bool(value)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            v = float(value)
            if math.isfinite(v):
                out[str(key)] = int(value) if isinstance(value, (int, np.integer)) else v
        elif isinstance(value, str):
            out[str(key)] = value
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            out[str(key)] = flat(value)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env_id", help="a Gymnasium environment id, e.g. CartPole-v1")
    parser.add_argument("--kwargs", default="{}", help="JSON object of keyword arguments for gymnasium.make")
    args = parser.parse_args()

    protocol_out = sys.stdout
    sys.stdout = sys.stderr  # nothing but protocol lines on the real stdout

    def send(obj):
        protocol_out.write(json.dumps(obj, allow_nan=False) + "\n")
        protocol_out.flush()

    env = None
    try:
        import gymnasium as gym
        import numpy as np
        env = gym.make(args.env_id, **json.loads(args.kwargs))
    except Exception as error:  # reported at the handshake
        startup_error = "cannot make %s: %s: %s" % (args.env_id, type(error).__name__, error)
    else:
        startup_error = None

    for line in sys.stdin:
        try:
            request = json.loads(line)
            op = request.get("op")
            if startup_error is not None:
                send({"ok": False, "error": startup_error})
                if op == "close":
                    break
                continue
            if op == "hello":
                send({"ok": True, "protocol": 1, "snapshots": pickled(env) is not None,
                      "observation_space": space_to_json(env.observation_space),
                      "action_space": space_to_json(env.action_space)})
            elif op == "get_state":
                state = pickled(env)
                if state is None:
                    send({"ok": False, "error": "this environment cannot be pickled, so it has no snapshots"})
                else:
                    send({"ok": True, "state": state})
            elif op == "set_state":
                env = pickle.loads(base64.b64decode(request["state"]))
                send({"ok": True})
            elif op == "reset":
                observation, info = env.reset(seed=request.get("seed"))
                send({"ok": True, "observation": flat(observation), "info": jsonable_info(info)})
            elif op == "step":
                action = request["action"]
                from gymnasium import spaces
                if isinstance(env.action_space, spaces.Discrete):
                    action = int(action)
                else:
                    action = np.asarray(action, dtype=env.action_space.dtype).reshape(env.action_space.shape)
                observation, reward, terminated, truncated, info = env.step(action)
                send({"ok": True, "observation": flat(observation), "reward": float(reward),
                      "terminated": bool(terminated), "truncated": bool(truncated),
                      "info": jsonable_info(info)})
            elif op == "close":
                send({"ok": True})
                break
            else:
                send({"ok": False, "error": "unknown op %r; expected hello, reset, step, get_state, set_state or close" % (op,)})
        except Exception as error:
            send({"ok": False, "error": "%s: %s" % (type(error).__name__, error)})
    if env is not None:
        env.close()


if __name__ == "__main__":
    main()
