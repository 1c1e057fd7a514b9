// Replay — see README's architecture section.
